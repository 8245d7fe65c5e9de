/**
 * `npm run demo-data -- --scale small|busy|large [--force]`: fills the configured database (the
 * embedded one in DATA_DIR, or MONGODB_URI) with demo data, then writes DATA_DIR/demo-users.json
 * (an organizer, a member with conversations, a liaison) for trying the portal and for
 * `npm run bench:http -- --data DATA_DIR`. Refuses a database that already holds data unless
 * --force, which empties it first.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config';
import { connectDatabase } from '../db';
import { createMailer } from '../web/mail';
import { createFileStore } from '../web/files';
import { DEFAULT_RATE_LIMITS, type AppContext } from '../web/context';
import { portalModules } from '../modules';
import { DEMO_PASSWORD, SCALES, generateDemoData, type Scale } from './generate';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const scale = (arg('scale') ?? 'small') as Scale;
  if (!SCALES.includes(scale)) throw new Error(`--scale must be one of ${SCALES.join(', ')}`);
  const force = process.argv.includes('--force');
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = pino({ level: 'warn' });
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const db = await connectDatabase({ mongodbUri: config.mongodbUri, dataDir: config.dataDir, logger });
  try {
    const collections = await db.connection.db!.listCollections({}, { nameOnly: true }).toArray();
    let nonEmpty = 0;
    for (const c of collections) if ((await db.connection.db!.collection(c.name).estimatedDocumentCount()) > 0) nonEmpty++;
    if (nonEmpty > 0 && !force) {
      process.stderr.write(`The database already holds data (${nonEmpty} collections): demo data goes into an empty one. Use --force to empty it first.\n`);
      process.exitCode = 2;
      return;
    }
    if (nonEmpty > 0) {
      say('--force: emptying the database');
      await db.connection.dropDatabase();
    }
    const organizer = config.admin ?? { email: 'organizer@demo.example.org', password: DEMO_PASSWORD };
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(config.dataDir, 'mail'), logger });
    const ctx: AppContext = {
      config: { ...config, admin: organizer },
      logger,
      mailer,
      files: createFileStore(config, db.connection),
      connection: db.connection,
      rateLimits: DEFAULT_RATE_LIMITS,
      now: () => new Date(),
      // Every check runs (the database is empty), and the versions it reaches are recorded, so the
      // portal's first start does not scan the demo data for stale derived fields.
      startUp: { afterCrash: true, skipDoneVersions: false, connection: db.connection },
    };
    say('start-up seed (ASEM members, board categories, fair edition, organizer)');
    for (const mod of portalModules) await mod.onStart?.(ctx);
    say(`demo data, scale ${scale}`);
    const result = await generateDemoData({ scale, now: new Date(), organizer, progress: say });
    mkdirSync(config.dataDir, { recursive: true });
    const usersFile = path.join(config.dataDir, 'demo-users.json');
    writeFileSync(usersFile, `${JSON.stringify(result.users, null, 2)}\n`);
    say(`done. Accounts in ${usersFile} (every demo account's password: ${DEMO_PASSWORD})`);
    await mailer.close();
  } finally {
    await db.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo-data failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
