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
import { createMessagesModule } from './messages/module';
import { partnersModule, startPartnersScheduler } from './partners/module';
import { hasAcceptedContact } from './partners';
import { adminModule } from './admin/module';
import { eventsModule } from './events/module';
import { figuresModule } from './figures/module';
import { meetingsModule, startMeetingReminders, startMeetingsScheduler } from './meetings/module';

export const portalModules: PortalModule[] = [
  // The home page asks the others for their sections, read per request from this very list.
  createHomeModule(() => portalModules),
  // The desk asks every module for what waits for the signed-in person, from this same list.
  createDeskModule(() => portalModules),
  accountsModule,
  membersModule,
  // Partners serves /companies and /companies/:id (the richer company page) before the directory.
  partnersModule,
  directoryModule,
  fairModule,
  // Meetings at the hall: sessions, participants and requests (/fair/meetings, /admin/fair/meetings),
  // the agenda, its feed, the outcomes and the organizer's grid.
  meetingsModule,
  practicesModule,
  boardModule,
  // The who-may-write rule gains one door: two SMEs with an accepted contact request.
  createMessagesModule({ acceptedContact: hasAcceptedContact }),
  eventsModule,
  figuresModule,
  adminModule,
];

/** Scheduled work of the modules, started by the server (never by tests unless they drive it). */
export { startPartnersScheduler, startMeetingsScheduler, startMeetingReminders };
