/**
 * The events module's wiring: its service built once, its routes, its desk items and the
 * scheduled delegation reminders.
 */
import { oncePerContext, type PortalModule } from '../../web/context';
import { runEvery } from '../../web/schedule';
import { eventsDeskCount, eventsDeskItems } from './desk';
import { eventsRouter } from './routes';
import { createEventsService } from './service';

const eventsService = oncePerContext((ctx) =>
  createEventsService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl, files: ctx.files, uploadDir: ctx.config.uploadDir }),
);

/** How often the reminders are looked for (each is claimed once, so any instance may look). */
const REMINDER_POLL_MS = 60 * 60 * 1000;

export const eventsModule: PortalModule = {
  name: 'events',
  router: (ctx) => eventsRouter(ctx, eventsService(ctx)),
  async onStart(ctx) {
    if (ctx.config.env === 'test') return; // tests run the reminders themselves (sendDueReminders)
    runEvery(ctx.logger, 'delegation reminders', REMINDER_POLL_MS, () => eventsService(ctx).sendDueReminders());
  },
  deskItems: (ctx, actor) => eventsDeskItems(actor, ctx.now()),
  deskCount: (ctx, actor) => eventsDeskCount(actor, ctx.now()),
};

export { eventsService };
