/**
 * The portal's feature modules, in the order their routes are mounted.
 */
import type { PortalModule } from '../web/context';
import { homeModule } from './home';
import { accountsModule } from './accounts';
import { membersModule } from './members';
import { fairModule } from './fair';
import { practicesModule } from './practices';
import { boardModule } from './board';
import { messagesModule } from './messages';
import { adminModule } from './admin';

export const portalModules: PortalModule[] = [
  homeModule,
  accountsModule,
  membersModule,
  fairModule,
  practicesModule,
  boardModule,
  messagesModule,
  adminModule,
];
