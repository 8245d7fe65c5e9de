/**
 * The fair module's front door (routes, start-up seed).
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';

export const fairModule: PortalModule = {
  name: 'fair',
  router() {
    return Router();
  },
};
