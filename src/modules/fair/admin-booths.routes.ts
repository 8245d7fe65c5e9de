/**
 * The organizer's hall layout: rows of booths, a CSV import, moving a booth, deleting one (asked first).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { FieldErrors } from '../../kernel';
import { actorOf, requireRole } from '../../web/auth';
import type { AppContext } from '../../web/context';
import { flash } from '../../web/flash';
import { formHandler, type FormValues } from '../../web/forms';
import { BoothForm, ImportForm, RowForm, findBooth, listBooths } from './booths';
import { findEdition } from './editions';
import { buildFloorPlan, fitLabel } from './floorplan';
import { boothHoldings } from './holdings';
import { memberNamer } from './labels';
import type { FairService } from './service';

const ROW_DEFAULTS = { prefix: '', firstNumber: '1', count: '10', x: '0', y: '0', width: '3', depth: '3', direction: 'horizontal', cornerEnds: 'on' };

export function fairAdminBoothsRouter(_ctx: AppContext, fair: FairService): Router {
  const router = Router();
  router.use('/admin/fair/editions/:id/booths', requireRole('organizer'));
  const layoutPath = (req: Request) => `/admin/fair/editions/${String(req.params.id)}/booths`;

  async function boothsPage(req: Request, res: Response, extra: { rowValues?: FormValues; rowErrors?: FieldErrors; csvValue?: string; csvErrors?: FieldErrors } = {}) {
    const edition = await findEdition(req.params.id);
    const booths = await listBooths(edition._id);
    const plan = buildFloorPlan(edition, booths, await boothHoldings(edition._id), { showNames: true });
    res.render('fair/admin/booths', { title: req.t('fair:layout.title'), edition, plan, fitLabel, memberName: await memberNamer(req.lang), rowValues: ROW_DEFAULTS, rowErrors: {}, csvValue: '', csvErrors: {}, ...extra });
  }

  router.get('/admin/fair/editions/:id/booths', (req, res) => boothsPage(req, res));

  router.post(
    '/admin/fair/editions/:id/booths/row',
    formHandler({
      body: RowForm,
      render: (req, res, { values, errors }) => boothsPage(req, res, { rowValues: values, rowErrors: errors }),
      async handle(req, res, { body }) {
        const n = await fair.addBoothRow(actorOf(req), String(req.params.id), body);
        flash(req, 'success', 'fair:flash.rowAdded', { count: n });
        res.redirect(303, layoutPath(req));
      },
    }),
  );

  router.post(
    '/admin/fair/editions/:id/booths/import',
    formHandler({
      body: ImportForm,
      render: (req, res, { values, errors }) => boothsPage(req, res, { csvValue: typeof values.csv === 'string' ? values.csv : '', csvErrors: errors }),
      async handle(req, res, { body }) {
        const n = await fair.importBoothCsv(actorOf(req), String(req.params.id), body.csv);
        flash(req, 'success', 'fair:flash.imported', { count: n });
        res.redirect(303, layoutPath(req));
      },
    }),
  );

  async function boothForm(req: Request, res: Response, values: FormValues | null, errors: FieldErrors) {
    const edition = await findEdition(req.params.id);
    const booth = await findBooth(edition._id, req.params.boothId);
    const stored = { code: booth.code, x: String(booth.x), y: String(booth.y), width: String(booth.width), depth: String(booth.depth), features: booth.features };
    res.render('fair/admin/booth-form', { title: req.t('fair:layout.editBooth', { code: booth.code }), edition, booth, values: values ? { features: [], ...values } : stored, errors });
  }

  router.get('/admin/fair/editions/:id/booths/:boothId', (req, res) => boothForm(req, res, null, {}));

  router.post(
    '/admin/fair/editions/:id/booths/:boothId',
    formHandler({
      body: BoothForm,
      render: (req, res, { values, errors }) => boothForm(req, res, values, errors),
      async handle(req, res, { body }) {
        await fair.updateBooth(actorOf(req), String(req.params.id), String(req.params.boothId), body);
        flash(req, 'success', 'fair:flash.boothSaved');
        res.redirect(303, layoutPath(req));
      },
    }),
  );

  // Deleting a booth: asked first (GET), done by the POST.
  router.get('/admin/fair/editions/:id/booths/:boothId/delete', async (req, res) => {
    const edition = await findEdition(req.params.id);
    const booth = await findBooth(edition._id, req.params.boothId);
    res.render('fair/admin/confirm', { title: req.t('fair:confirm.deleteBooth.title', { code: booth.code }), edition, booth, step: 'deleteBooth', action: `${layoutPath(req)}/${String(booth._id)}/delete` });
  });

  router.post(
    '/admin/fair/editions/:id/booths/:boothId/delete',
    formHandler({
      body: z.object({}),
      render: (req, res) => res.redirect(303, layoutPath(req)),
      async handle(req, res) {
        await fair.deleteBooth(actorOf(req), String(req.params.id), String(req.params.boothId));
        flash(req, 'success', 'fair:flash.boothDeleted');
        res.redirect(303, layoutPath(req));
      },
    }),
  );

  return router;
}
