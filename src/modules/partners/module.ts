/**
 * Partners and business opportunities: richer company profiles, partner search, opportunities,
 * contact requests with consent, suggestions and the weekly digest, figures.
 *
 * Scheduled work (request expiry, the 7-day expiry e-mail, digests) runs on a timer started by
 * startScheduler at server start-up (never in tests unless a test drives runScheduledWork); each
 * job claims its records by a conditional update, so several instances never do one twice.
 */
import type { NextFunction, Request, Response } from 'express';
import { oncePerContext, type AppContext, type PortalModule } from '../../web/context';
import { runEvery } from '../../web/schedule';
import { COMPANY_TERMS_VERSION, refreshStaleCompanyTerms } from '../accounts';
import { onceForVersion } from '../../web/start-up';
import { partnersDeskCount, partnersDeskItems } from './desk';
import { ContactBlock, ContactRequest, DigestSetting, Opportunity, PartnerReport } from './model';
import { accountExtras, partnersRouter } from './routes';
import { createPartnersService } from './services';

export const partnersService = oncePerContext((ctx: AppContext) =>
  createPartnersService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, files: ctx.files, secret: ctx.config.sessionSecret }),
);

const SCHEDULE_MS = 10 * 60 * 1000;

/** Starts the scheduled work (server start-up); returns the function that stops it. */
export function startPartnersScheduler(ctx: AppContext): () => void {
  const service = partnersService(ctx);
  return runEvery(ctx.logger, 'partners scheduled work', SCHEDULE_MS, () => service.runScheduledWork());
}

export const partnersModule: PortalModule = {
  name: 'partners',
  router(ctx) {
    return partnersRouter(ctx, partnersService(ctx));
  },
  csrfExemptPaths: ['/opportunities/digest/unsubscribe'],
  deskItems: (ctx, actor) => partnersDeskItems(actor, ctx.now()),
  deskCount: (ctx, actor) => partnersDeskCount(actor, ctx.now()),
  async onStart(ctx) {
    await Promise.all([Opportunity.createIndexes(), ContactRequest.createIndexes(), ContactBlock.createIndexes(), PartnerReport.createIndexes(), DigestSetting.createIndexes()]);
    const refreshed = await onceForVersion(ctx.startUp, 'company-search-terms', COMPANY_TERMS_VERSION, refreshStaleCompanyTerms, 0);
    if (refreshed) ctx.logger.info({ refreshed }, 'company search terms refreshed');
  },
  middleware(ctx) {
    const service = partnersService(ctx);
    /** The header badge (open contact requests) and, on /account, the profile hint and suggestions. */
    return (req: Request, res: Response, next: NextFunction) => {
      const user = req.user;
      if (!user || user.role !== 'member' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      Promise.all([service.countPendingRequests(user), req.path === '/account' ? accountExtras(service, user) : Promise.resolve(null)])
        .then(([pending, extras]) => {
          res.locals.pendingContactRequests = pending;
          res.locals.partnerExtras = extras;
          next();
        })
        .catch(next);
    };
  },
};
