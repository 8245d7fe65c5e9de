/**
 * The practices module's front door (routes, start-up seed).
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';

export const practicesModule: PortalModule = {
  name: 'practices',
  router() {
    return Router();
  },
};
