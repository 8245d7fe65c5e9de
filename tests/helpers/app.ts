/**
 * The real app for integration tests: its own database on the run's embedded server, a real SMTP
 * server capturing mail, and the start-up seed (ASEM members, the first organizer, module seeds).
 */
import mongoose from 'mongoose';
import pino from 'pino';
import type { Express } from 'express';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadConfig, type Config } from '../../src/config';
import { createApp } from '../../src/app';
import { createMailer, type SenderTiming } from '../../src/web/mail';
import { createFileStore } from '../../src/web/files';
import { DEFAULT_RATE_LIMITS, type AppContext, type RateLimits } from '../../src/web/context';
import { portalModules } from '../../src/modules';
import { testDbUri } from './db';
import { startTestSmtp, type TestSmtp } from './smtp';

export const ORGANIZER = { email: 'organizer@example.org', password: 'organizer-pass-2026' };

/** Generous limits so ordinary tests never meet them; rate-limit tests pass their own. */
export const TEST_RATE_LIMITS: RateLimits = {
  login: { points: 1000, durationSeconds: 60 },
  loginPerIp: { points: 10000, durationSeconds: 60 },
  registration: { points: 1000, durationSeconds: 60 },
  passwordReset: { points: 1000, durationSeconds: 60 },
  posting: { points: 1000, durationSeconds: 60 },
};

export interface TestApp {
  app: Express;
  ctx: AppContext;
  smtp: TestSmtp;
  config: Readonly<Config>;
  /** Moves the clock the services see (ctx.now). */
  setNow(date: Date | null): void;
  /**
   * Resolves once every e-mail the app was asked to send before this call has arrived: a marker
   * goes out through the app's own mailer (which sends in order) and is waited for, then the
   * capture finishes parsing. Lets a test assert that something was NOT sent without sleeping.
   */
  mailSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  rateLimits?: Partial<RateLimits>;
  env?: Record<string, string>;
  /**
   * A second portal instance on the database of this one (its own DATA_DIR, UPLOAD_DIR and SMTP
   * server), as behind a load balancer. Close it before the first.
   */
  sameDatabaseAs?: TestApp;
  /** The mail sender's retry back-off, lease and poll (tests of retries shorten them). */
  mailTiming?: Partial<SenderTiming>;
  /** A database of the test's own (e.g. on an embedded database process it stops and kills). */
  dbUri?: string;
}

/** The file stores the upload suites run against (describe.each). */
export const FILE_STORES = ['disk', 'gridfs'] as const;

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const smtp = await startTestSmtp();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    BASE_URL: 'http://portal.test',
    DATA_DIR: dataDir,
    UPLOAD_DIR: path.join(dataDir, 'uploads'),
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    SMTP_URL: smtp.url,
    ADMIN_EMAIL: ORGANIZER.email,
    ADMIN_PASSWORD: ORGANIZER.password,
    ...opts.env,
  });
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  const shared = opts.sameDatabaseAs;
  if (!shared) await mongoose.connect(opts.dbUri ?? testDbUri(), { serverSelectionTimeoutMS: 10_000 });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(dataDir, 'mail'), logger, timing: opts.mailTiming });
  let fixedNow: Date | null = null;
  const ctx: AppContext = {
    config,
    logger,
    mailer,
    files: createFileStore(config, mongoose.connection),
    connection: mongoose.connection,
    rateLimits: { ...TEST_RATE_LIMITS, ...opts.rateLimits },
    now: () => (fixedNow ? new Date(fixedNow) : new Date()),
  };
  if (!shared) for (const mod of portalModules) await mod.onStart?.(ctx);
  mailer.start();
  const app = createApp(ctx);
  return {
    app,
    ctx,
    smtp,
    config,
    setNow(date) {
      fixedNow = date;
    },
    async mailSettled() {
      // Everything asked of the mailer so far is in the outbox: wait until the sender has
      // delivered it, then until the capture has parsed it.
      await mailer.drained();
      await smtp.idle();
    },
    async close() {
      await mailer.close();
      if (!shared) {
        await mongoose.connection.dropDatabase().catch(() => undefined);
        await mongoose.disconnect();
      }
      await smtp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { DEFAULT_RATE_LIMITS };
