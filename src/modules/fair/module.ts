/**
 * The fair module's front door: the ASEM hall at the China International SME Fair — editions, the
 * hall floor plan, booth requests with liaison endorsement, allocation and exports.
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';
import { localized } from '../../web/i18n';
import { fairAdminRouter } from './admin.routes';
import { currentEdition, requestWindowOpen, seedFirstEdition } from './editions';
import { ensureFairIndexes } from './model';
import { activeRequestOf, reconcileAllocations } from './requests';
import { fairDeskCount, fairDeskItems } from './desk';
import { fairRouter } from './routes';


export const fairModule: PortalModule = {
  name: 'fair',
  deskItems: (_ctx, actor) => fairDeskItems(actor),
  deskCount: (_ctx, actor) => fairDeskCount(actor),
  router(ctx) {
    const router = Router();
    router.use(fairRouter(ctx));
    router.use(fairAdminRouter(ctx));
    return router;
  },
  async onStart(ctx) {
    await ensureFairIndexes();
    const repaired = await reconcileAllocations();
    if (repaired.removed || repaired.countersFixed) ctx.logger.warn(repaired, 'fair allocations repaired after an interrupted write');
    const seeded = await seedFirstEdition(ctx.now());
    if (seeded) ctx.logger.info({ edition: seeded.code }, 'first fair edition created');
  },
  async homeSection(ctx, reader) {
    const edition = await currentEdition();
    if (!edition) return null;
    const now = ctx.now();
    const own = reader.actor?.role === 'member' ? await activeRequestOf(reader.actor.companyId, edition._id) : null;
    return {
      view: 'fair/home-section',
      data: {
        fairEdition: {
          id: String(edition._id),
          name: localized(edition.name, reader.lang),
          city: localized(edition.city, reader.lang),
          hallName: localized(edition.hallName, reader.lang),
          startsOn: edition.startsOn,
          endsOn: edition.endsOn,
          requestOpensAt: edition.requestOpensAt,
          requestClosesAt: edition.requestClosesAt,
          windowOpen: requestWindowOpen(edition, now),
          ownRequestId: own ? String(own._id) : null,
          ownStatus: own?.status ?? null,
        },
      },
    };
  },
};
