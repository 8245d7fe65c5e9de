/**
 * The organizer's figures at /admin/figures: server-rendered SVG charts with a data-table twin and
 * a CSV download each, filtered by fair edition and date range.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../kernel';
import { actorOf, requireRole } from '../../web/auth';
import type { PortalModule } from '../../web/context';
import { parseForm } from '../../web/forms';
import { barLayout } from './chart';
import { FIGURE_IDS, editions, figureCsv, figures, type FigureFilters } from './service';

const day = z.preprocess((v) => (typeof v === 'string' && v.trim() ? v.trim() : undefined), z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional());
const FilterQuery = z.object({
  edition: z.preprocess((v) => (typeof v === 'string' && /^[a-f0-9]{24}$/.test(v) ? v : undefined), z.string().optional()),
  from: day,
  to: day,
});

function filtersOf(req: Request): { filters: FigureFilters; values: Record<string, string>; invalid: boolean } {
  const parsed = parseForm(FilterQuery, req.query);
  const q = parsed.ok ? parsed.data : {};
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : null;
  // The "to" day is included: the range ends at the start of the next day.
  const to = q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : null;
  const bad = (d: Date | null) => !!d && Number.isNaN(d.getTime());
  return {
    filters: { edition: q.edition ?? null, from: bad(from) ? null : from, to: bad(to) ? null : to },
    values: { edition: q.edition ?? '', from: q.from ?? '', to: q.to ?? '' },
    invalid: !parsed.ok || bad(from) || bad(to),
  };
}

export const figuresModule: PortalModule = {
  name: 'figures',
  router(ctx) {
    const router = Router();
    router.get('/admin/figures', requireRole('organizer'), async (req, res) => {
      const { filters, values, invalid } = filtersOf(req);
      const [figs, eds] = await Promise.all([figures(actorOf(req), filters, ctx.now()), editions()]);
      const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
      res.status(invalid ? 400 : 200).render('figures/index', {
        title: req.t('figures:title'),
        figures: figs.map((f) => ({ ...f, layout: barLayout(f.data) })),
        editions: eds,
        values,
        invalid,
        query: query ? `?${query}` : '',
      });
    });
    router.get('/admin/figures/:id.csv', requireRole('organizer'), async (req, res) => {
      const id = String(req.params.id);
      if (!(FIGURE_IDS as readonly string[]).includes(id)) throw new NotFoundError();
      const { filters } = filtersOf(req);
      const fig = (await figures(actorOf(req), filters, ctx.now())).find((f) => f.id === id)!;
      res.type('text/csv; charset=utf-8').attachment(`figures-${id}.csv`).send(figureCsv(fig));
    });
    return router;
  },
};
