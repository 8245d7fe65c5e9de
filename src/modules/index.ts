/**
 * The portal's feature modules, in the order their routes are mounted. This list is the one place
 * that reaches a module's module.ts (its wiring); everything else uses a module's index.ts.
 */
import type { PortalModule } from '../web/context';
import { createHomeModule } from './home/module';
import { createDeskModule } from './desk/module';
import { accountsModule } from './accounts/module';
import { membersModule } from './members/module';
import { directoryModule } from './directory/module';
import { fairModule } from './fair/module';
import { practicesModule } from './practices/module';
import { boardModule } from './board/module';
import { messagesModule } from './messages/module';
import { adminModule } from './admin/module';
import { eventsModule } from './events/module';
import { figuresModule } from './figures/module';

export const portalModules: PortalModule[] = [
  // The home page asks the others for their sections, read per request from this very list.
  createHomeModule(() => portalModules),
  // The desk asks every module for what waits for the signed-in person, from this same list.
  createDeskModule(() => portalModules),
  accountsModule,
  membersModule,
  directoryModule,
  fairModule,
  practicesModule,
  boardModule,
  messagesModule,
  eventsModule,
  figuresModule,
  adminModule,
];
