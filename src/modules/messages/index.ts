/**
 * The messages module's front door (routes, start-up seed).
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';

export const messagesModule: PortalModule = {
  name: 'messages',
  router() {
    return Router();
  },
};
