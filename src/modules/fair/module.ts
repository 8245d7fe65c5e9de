/**
 * The fair module's wiring: the ASEM hall at the China International SME Fair — editions, the hall
 * floor plan, booth requests with liaison endorsement, allocation and exports. Its service is built
 * once from the app context and handed to its routers.
 */
import { Router } from 'express';
import { oncePerContext, type PortalModule } from '../../web/context';
import { localized } from '../../web/i18n';
import { fairAdminBoothsRouter } from './admin-booths.routes';
import { fairAdminDeskRouter } from './admin-desk.routes';
import { fairAdminEditionsRouter } from './admin-editions.routes';
import { fairAllocationRouter } from './allocation.routes';
import { requestWindowOpen, shownEdition } from './editions';
import { ensureFairIndexes } from './model';
import { fairPublicRouter } from './public.routes';
import { activeRequestOf } from './requests';
import { fairRequestsRouter } from './requests.routes';
import { fairStepsRouter } from './steps.routes';
import { createFairService } from './service';
import { fairDeskCount, fairDeskItems } from './desk';
import { fairContinuityRouter } from './continuity.routes';

const fairService = oncePerContext((ctx) => createFairService({ mailer: ctx.mailer, files: ctx.files, clock: ctx.now, baseUrl: ctx.config.baseUrl }));

export const fairModule: PortalModule = {
  name: 'fair',
  deskItems: (ctx, actor) => fairDeskItems(actor, ctx.now()),
  deskCount: (ctx, actor) => fairDeskCount(actor, ctx.now()),
  router(ctx) {
    const fair = fairService(ctx);
    const router = Router();
    router.use(fairPublicRouter(ctx));
    // The allocation router first: it owns POST /fair/requests/:id/approve before the other steps.
    router.use(fairAllocationRouter(ctx, fair));
    router.use(fairRequestsRouter(ctx, fair));
    // After the request form's routes: its GET /fair/requests/:id/:action asks before a step.
    router.use(fairStepsRouter(ctx, fair));
    router.use(fairAdminBoothsRouter(ctx, fair));
    router.use(fairAdminEditionsRouter(ctx, fair));
    router.use(fairAdminDeskRouter(ctx));
    router.use(fairContinuityRouter(ctx, fair));
    return router;
  },
  async onStart(ctx) {
    await ensureFairIndexes();
    const { repaired, seeded } = await fairService(ctx).start();
    if (repaired.removed || repaired.countersFixed) ctx.logger.warn(repaired, 'fair allocations repaired after an interrupted write');
    if (seeded) ctx.logger.info({ edition: seeded.code }, 'first fair edition created');
  },
  async homeSection(ctx, reader) {
    const edition = await shownEdition();
    if (!edition) return null;
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
          windowOpen: requestWindowOpen(edition, ctx.now()),
          ownRequestId: own ? String(own._id) : null,
          ownStatus: own?.status ?? null,
        },
      },
    };
  },
};
