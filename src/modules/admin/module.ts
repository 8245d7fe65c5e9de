/**
 * Organizer pages: the dashboard, users, liaisons, suspensions, ASEM members, the audit log.
 */
import { createAccountAdministration } from '../accounts';
import { oncePerContext, type PortalModule } from '../../web/context';
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
    return adminRouter(ctx, accounts, admin);
  },
};
