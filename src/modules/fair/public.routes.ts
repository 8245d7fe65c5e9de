/**
 * The public fair pages: the current edition with its floor plan (/fair) and any edition by id.
 */
import { Router, type Request, type Response } from 'express';
import type { Actor } from '../../kernel';
import type { AppContext } from '../../web/context';
import { VersionedCache } from '../../web/cache-versions';
import { localized } from '../../web/i18n';
import { MEMBERS_STAMP } from '../members';
import { findEdition, quotaFor, requestWindowOpen, shownEdition } from './editions';
import { listBooths } from './booths';
import { buildFloorPlan, fitLabel } from './floorplan';
import { boothHoldings } from './holdings';
import { STATUS_CLASS, memberNamer } from './labels';
import { PLAN_STAMP, type BoothRequestDoc, type FairEditionDoc } from './model';
import { activeRequestOf } from './requests';

/** The quota the reader's own ASEM member has (overrides included); the default for anyone else. */
function readerQuota(edition: FairEditionDoc, actor: Actor | undefined): number {
  return actor?.member ? quotaFor(edition, actor.member) : edition.defaultQuota;
}

/** A view rendered to a string with the request's locals (t, localized...), without the layout. */
function renderPartial(req: Request, res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    req.app.render(view, { ...res.locals, ...locals }, (err: Error | null, html?: string) => (err ? reject(err) : resolve(html ?? '')));
  });
}

/**
 * The drawn plan (the floor-plan partial's HTML with its table) as every reader without a booth of
 * their own sees it, per edition and language: drawn once and reused until a booth, a request, an
 * assignment, the edition or a member's name changes (version stamps, see src/web/cache-versions.ts).
 */
const drawnPlans = new VersionedCache<string>([PLAN_STAMP, MEMBERS_STAMP], 24);

export function fairPublicRouter(ctx: AppContext): Router {
  const router = Router();

  async function drawPlan(req: Request, res: Response, edition: FairEditionDoc, highlight: Set<string>): Promise<string> {
    const draw = async () => {
      const [booths, holdings, memberName] = await Promise.all([listBooths(edition._id), boothHoldings(edition._id), memberNamer(req.lang)]);
      const plan = buildFloorPlan(edition, booths, holdings, { highlight });
      const planTitle = req.t('fair:plan.svgTitle', { hall: localized(edition.hallName, req.lang) });
      return renderPartial(req, res, 'fair/_floor-plan', { plan, fitLabel, memberName, planTitle, showTable: true });
    };
    // A member's own booths are marked on the plan: drawn for them alone.
    return highlight.size ? draw() : drawnPlans.get(`${String(edition._id)}:${req.lang}`, draw);
  }

  async function showEdition(req: Request, res: Response, edition: FairEditionDoc, own: BoothRequestDoc | null) {
    const planHtml = await drawPlan(req, res, edition, new Set(own ? own.booths.map((b) => String(b.booth)) : []));
    res.render('fair/index', {
      title: req.t('fair:title'),
      edition,
      planHtml,
      windowOpen: requestWindowOpen(edition, ctx.now()),
      quota: readerQuota(edition, req.user),
      own,
      statusClass: STATUS_CLASS,
    });
  }

  router.get('/fair', async (req, res) => {
    const edition = await shownEdition();
    if (!edition) return res.render('fair/index', { title: req.t('fair:title'), edition: null });
    const actor = req.user;
    const own = actor?.role === 'member' ? await activeRequestOf(actor.companyId, edition._id) : null;
    await showEdition(req, res, edition, own);
  });

  // An edition's public plan by id (older editions, links from e-mails and the organizer desk).
  router.get('/fair/editions/:id', async (req, res) => {
    const edition = await findEdition(req.params.id);
    if (edition.status === 'draft' && req.user?.role !== 'organizer') return res.redirect(303, '/fair');
    await showEdition(req, res, edition, null);
  });

  return router;
}
