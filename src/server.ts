/**
 * Start-up: config → database (the embedded one when MONGODB_URI is unset) → seed data → app →
 * listen; and a graceful shutdown on SIGTERM/SIGINT: stop accepting, finish requests, stop the
 * mail sender (it finishes the message under way), close the database, exit 0. The embedded
 * database is restarted if it dies (src/db).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig, ConfigError } from './config';
import { connectDatabase } from './db';
import { createApp } from './app';
import { createMailer } from './web/mail';
import { createFileStore } from './web/files';
import { createLogger } from './web/logging';
import { beginRun } from './web/start-up';
import { DEFAULT_RATE_LIMITS, type AppContext } from './web/context';
import { portalModules, startMeetingReminders, startMeetingsScheduler, startPartnersScheduler } from './modules';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config, { terminal: process.stdout.isTTY === true });
  const db = await connectDatabase({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, logger });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(config.dataDir, 'mail'), logger });
  // Repairs after a crash and migrations already done are skipped (src/web/start-up.ts).
  const run = await beginRun(db.connection, logger);
  const ctx: AppContext = {
    config,
    logger,
    mailer,
    files: createFileStore(config, db.connection),
    connection: db.connection,
    rateLimits: DEFAULT_RATE_LIMITS,
    now: () => new Date(),
    startUp: run.state,
  };
  const startedAt = Date.now();
  for (const mod of portalModules) await mod.onStart?.(ctx);
  await run.startedUp();
  logger.info({ ms: Date.now() - startedAt, afterCrash: run.state.afterCrash }, 'start-up checks done');
  mailer.start();
  const stopPartnersScheduler = startPartnersScheduler(ctx);
  const stopMeetingsScheduler = startMeetingsScheduler(ctx);
  const stopMeetingReminders = startMeetingReminders(ctx);

  const app = createApp(ctx);
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  const { port } = server.address() as AddressInfo;
  logger.info({ url: config.baseUrl, port, database: config.mongodbUri ? 'MongoDB' : `embedded (${db.uri})` }, 'ASEM SME Exchange is listening');
  process.stdout.write(`ASEM SME Exchange: ${config.baseUrl} (listening on port ${port})\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    stopPartnersScheduler();
    stopMeetingsScheduler();
    stopMeetingReminders();
    await mailer.close();
    await run.end().catch((err: unknown) => logger.warn({ err }, 'could not remove this run’s marker'));
    await db.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Start-up failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
