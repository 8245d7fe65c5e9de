/**
 * The public fair pages: the current edition with its floor plan (/fair) and any edition by id.
 */
import { Router, type Request, type Response } from 'express';
import type { Actor } from '../../kernel';
import type { AppContext } from '../../web/context';
import { currentEdition, findEdition, quotaFor, requestWindowOpen } from './editions';
import { listBooths } from './booths';
import { buildFloorPlan, fitLabel } from './floorplan';
import { boothHoldings } from './holdings';
import { STATUS_CLASS, memberNamer } from './labels';
import type { BoothRequestDoc, FairEditionDoc } from './model';
import { activeRequestOf } from './requests';

/** The quota the reader's own ASEM member has (overrides included); the default for anyone else. */
function readerQuota(edition: FairEditionDoc, actor: Actor | undefined): number {
  return actor?.member ? quotaFor(edition, actor.member) : edition.defaultQuota;
}

export function fairPublicRouter(ctx: AppContext): Router {
  const router = Router();

  async function showEdition(req: Request, res: Response, edition: FairEditionDoc, own: BoothRequestDoc | null) {
    const [booths, holdings, memberName] = await Promise.all([listBooths(edition._id), boothHoldings(edition._id), memberNamer(req.lang)]);
    const plan = buildFloorPlan(edition, booths, holdings, { highlight: new Set(own ? own.booths.map((b) => String(b.booth)) : []) });
    res.render('fair/index', {
      title: req.t('fair:title'),
      edition,
      plan,
      fitLabel,
      memberName,
      windowOpen: requestWindowOpen(edition, ctx.now()),
      quota: readerQuota(edition, req.user),
      own,
      statusClass: STATUS_CLASS,
    });
  }

  router.get('/fair', async (req, res) => {
    const edition = await currentEdition();
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
