/**
 * The board module's front door (routes, start-up seed).
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';

export const boardModule: PortalModule = {
  name: 'board',
  router() {
    return Router();
  },
};
