/**
 * Organizer pages: users, liaisons, suspensions, ASEM members, the audit log.
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';

export { recordAudit, AuditEntry } from './audit';

export const adminModule: PortalModule = {
  name: 'admin',
  router() {
    return Router();
  },
};
