/**
 * The meetings module's wiring: business meetings at the ASEM hall — the organizer's sessions, the
 * participants, requests and atomic booking. Scheduled work (request expiry) runs on a timer started
 * by startMeetingsScheduler at server start-up (never in tests unless a test drives it).
 */
import { oncePerContext, type AppContext, type PortalModule } from '../../web/context';
import { outsideRequest } from '../../web/time-limit';
import { meetingsDeskCount, meetingsDeskItems } from './desk';
import { createMeetingInvitations } from './invitations';
import { ensureMeetingIndexes } from './model';
import { meetingsRouter } from './routes';
import { createMeetingsService } from './service';

export const meetingsService = oncePerContext((ctx: AppContext) => {
  const deps = { mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl };
  return createMeetingsService({ ...deps, invitations: createMeetingInvitations(deps) });
});

const SCHEDULE_MS = 10 * 60 * 1000;

/** Starts the scheduled work (server start-up); returns the function that stops it. */
export function startMeetingsScheduler(ctx: AppContext): () => void {
  const service = meetingsService(ctx);
  const run = () =>
    outsideRequest(() => service.runScheduledWork())
      .then((done) => ctx.logger.debug(done, 'meetings scheduled work'))
      .catch((err: unknown) => ctx.logger.error({ err }, 'meetings scheduled work failed'));
  const timer = setInterval(run, SCHEDULE_MS);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}

export const meetingsModule: PortalModule = {
  name: 'meetings',
  router: (ctx) => meetingsRouter(ctx, meetingsService(ctx)),
  deskItems: (ctx, actor) => meetingsDeskItems(actor, ctx.now()),
  deskCount: (ctx, actor) => meetingsDeskCount(actor, ctx.now()),
  async onStart() {
    await ensureMeetingIndexes();
  },
};
