/**
 * Scheduled work of the modules (expiry, reminders, digests): run once now and then every
 * `everyMs`, outside any request's time limit, each failure logged and never thrown. The work
 * itself claims its records by conditional updates, so several instances may run it at once.
 * The timer does not keep the process alive; the returned function stops it.
 */
import type { Logger } from 'pino';
import { outsideRequest } from './time-limit';

export function runEvery(logger: Logger, name: string, everyMs: number, work: () => Promise<unknown>): () => void {
  const run = () =>
    outsideRequest(work)
      .then((done) => logger.debug({ done }, name))
      .catch((err: unknown) => logger.error({ err }, `${name} failed`));
  const timer = setInterval(run, everyMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
