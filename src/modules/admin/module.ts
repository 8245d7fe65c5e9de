/**
 * Organizer pages: the dashboard, users, liaisons, suspensions, ASEM members, the audit log.
 */
import { createAccountAdministration } from '../accounts';
import { oncePerContext, type PortalModule } from '../../web/context';
import { Router } from 'express';
import { adminDeskCount, adminDeskItems, failedMailRouter } from './desk';
import { adminRouter } from './routes';
import { createAdminService } from './service';

const services = oncePerContext((ctx) => ({
  accounts: createAccountAdministration({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl }),
  admin: createAdminService({ clock: ctx.now }),
}));

export const adminModule: PortalModule = {
  name: 'admin',
  router(ctx) {
    const { accounts, admin } = services(ctx);
    return Router().use(adminRouter(ctx, accounts, admin)).use(failedMailRouter(ctx.now));
  },
  deskItems: (_ctx, actor) => adminDeskItems(actor),
  deskCount: (_ctx, actor) => adminDeskCount(actor),
};
