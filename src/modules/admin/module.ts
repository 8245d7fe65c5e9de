/**
 * Organizer pages: the dashboard, users, liaisons, suspensions, ASEM members, the audit log.
 */
import type { PortalModule } from '../../web/context';
import { adminRouter } from './routes';


export const adminModule: PortalModule = {
  name: 'admin',
  router(ctx) {
    return adminRouter(ctx);
  },
};
