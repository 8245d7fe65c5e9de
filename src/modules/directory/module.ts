/**
 * The member directory pages (/members, /members/:code, /companies/:id): a composition of members,
 * accounts and messages, mounted above them.
 */
import type { PortalModule } from '../../web/context';
import { directoryRouter } from './routes';

export const directoryModule: PortalModule = {
  name: 'directory',
  router() {
    return directoryRouter();
  },
};
