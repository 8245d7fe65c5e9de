/**
 * The meetings module's wiring: business meetings at the ASEM hall — the organizer's sessions, the
 * participants, requests and atomic booking; the agenda, its feed, the outcomes and the organizer's
 * grid. Its services are built once from the app context. Scheduled work runs on timers started by
 * the server, never in tests unless a test drives it: request expiry and the repair of interrupted
 * bookings (startMeetingsScheduler), the reminders the day before (startMeetingReminders).
 */
import { Router } from 'express';
import { oncePerContext, type AppContext, type PortalModule } from '../../web/context';
import { runEvery } from '../../web/schedule';
import { createAgendaService } from './agenda';
import { agendaRouter } from './agenda.routes';
import { meetingsDeskCount, meetingsDeskItems } from './desk';
import { createMeetingInvitations, organizerOf, startMeetingReminders } from './invitations';
import { ensureMeetingIndexes } from './model';
import { createOutcomeService } from './outcomes';
import { meetingsRouter } from './routes';
import { createMeetingsService } from './service';

const organizer = (ctx: AppContext) => organizerOf(ctx.config.mailFrom, ctx.config.baseUrl);

export const agendaService = oncePerContext((ctx: AppContext) => createAgendaService({ clock: ctx.now, baseUrl: ctx.config.baseUrl, organizer: organizer(ctx) }));
export const outcomeService = oncePerContext((ctx: AppContext) => createOutcomeService({ clock: ctx.now }));
/** What the booking service calls after booking or cancelling a meeting. */
export const meetingInvitations = oncePerContext((ctx: AppContext) =>
  createMeetingInvitations({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, organizer: organizer(ctx) }),
);

export const meetingsService = oncePerContext((ctx: AppContext) =>
  createMeetingsService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, invitations: meetingInvitations(ctx) }),
);

const SCHEDULE_MS = 10 * 60 * 1000;

/** Starts the scheduled work (server start-up); returns the function that stops it. */
export function startMeetingsScheduler(ctx: AppContext): () => void {
  const service = meetingsService(ctx);
  return runEvery(ctx.logger, 'meetings scheduled work', SCHEDULE_MS, () => service.runScheduledWork());
}

export const meetingsModule: PortalModule = {
  name: 'meetings',
  router(ctx) {
    const router = Router();
    router.use(meetingsRouter(ctx, meetingsService(ctx)));
    router.use(agendaRouter(ctx, { agenda: agendaService(ctx), outcomes: outcomeService(ctx) }));
    return router;
  },
  deskItems: (ctx, actor) => meetingsDeskItems(actor, ctx.now()),
  deskCount: (ctx, actor) => meetingsDeskCount(actor, ctx.now()),
  async onStart() {
    await ensureMeetingIndexes();
  },
};

export { startMeetingReminders };
