/**
 * The meetings module's wiring: its services built once from the app context, its routes, its
 * indexes at start-up. The reminders the day before run on a timer started by the server
 * (startMeetingReminders), never in tests unless a test drives runMeetingReminders.
 */
import { oncePerContext, type AppContext, type PortalModule } from '../../web/context';
import { createAgendaService } from './agenda';
import { agendaRouter } from './agenda.routes';
import { createMeetingInvitations, organizerOf, startMeetingReminders } from './invitations';
import { ensureMeetingIndexes } from './model';
import { createOutcomeService } from './outcomes';

const organizer = (ctx: AppContext) => organizerOf(ctx.config.mailFrom, ctx.config.baseUrl);

export const agendaService = oncePerContext((ctx: AppContext) => createAgendaService({ clock: ctx.now, baseUrl: ctx.config.baseUrl, organizer: organizer(ctx) }));
export const outcomeService = oncePerContext((ctx: AppContext) => createOutcomeService({ clock: ctx.now }));
/** What the booking service calls after booking or cancelling a meeting. */
export const meetingInvitations = oncePerContext((ctx: AppContext) =>
  createMeetingInvitations({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, organizer: organizer(ctx) }),
);

export const meetingsModule: PortalModule = {
  name: 'meetings',
  router: (ctx) => agendaRouter(ctx, { agenda: agendaService(ctx), outcomes: outcomeService(ctx) }),
  async onStart() {
    await ensureMeetingIndexes();
  },
};

export { startMeetingReminders };
