/**
 * Runs the embedded database on its own: `npm run db -- --port 27017 --dbpath ./data/db`.
 * Prints `EMBEDDED_DB_READY mongodb://127.0.0.1:PORT` on stdout once it accepts connections
 * (src/db reads that line when it starts this as a child process); logs go to stderr.
 * Stops cleanly on SIGINT/SIGTERM, and when the parent that spawned it over IPC goes away.
 */
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseArgs } from 'node:util';
import { startEmbeddedDb, DbPathLockedError, type EmbeddedDb, type EmbeddedDbLogger } from './index';

/** src/db/index.ts waits for this word on stdout; keep the two in step. */
const READY_PREFIX = 'EMBEDDED_DB_READY';

const HELP = `Embedded MongoDB-compatible database of ASEM SME Exchange

Usage: npm run db -- [--port N] [--dbpath DIR] [--host ADDR]

  --port N      TCP port to listen on (default 27017; 0 picks a free port)
  --dbpath DIR  directory for the journal, snapshots and lock file; without it the
                data lives in memory and is gone when the process stops
  --host ADDR   address to listen on (default 127.0.0.1; the server has no
                authentication, so keep it on loopback)
  --compact-after-bytes N
                write a snapshot once the journal passes N bytes (default: the
                engine's threshold, 64 MiB)
  --quiet       log warnings and errors only
  -h, --help    show this help

Prints "${READY_PREFIX} mongodb://HOST:PORT" when ready. Stop with Ctrl-C (SIGINT) or SIGTERM.
`;

function stderrLogger(quiet: boolean): EmbeddedDbLogger {
  const line = (level: string, msg: string, rest: unknown[]): void => {
    const extra = rest.length ? ' ' + rest.map((r) => (r instanceof Error ? r.stack ?? r.message : JSON.stringify(r))).join(' ') : '';
    process.stderr.write(`${new Date().toISOString()} ${level} ${msg}${extra}\n`);
  };
  return {
    info: (msg, ...rest) => {
      if (!quiet) line('info', msg, rest);
    },
    warn: (msg, ...rest) => line('warn', msg, rest),
    error: (msg, ...rest) => line('error', msg, rest),
  };
}

/**
 * One full garbage collection once the data is loaded. Loading decodes every stored document
 * and builds every index, which leaves hundreds of megabytes of garbage (read buffers, replaced
 * documents, build scratch arrays) that V8 would otherwise hold, with the heap pages it grew to,
 * until allocation pressure triggers a collection, possibly never in a mostly idle server. This
 * process is the database alone, so collecting it once here is cheap (under a second for a
 * heap of ~900 MB) and lowers the resident memory the server then keeps. gc is not exposed
 * without --expose-gc: the flag is set for a moment and the function taken from a new context,
 * as Jest's leak detector does.
 */
function collectLoadGarbage(logger: EmbeddedDbLogger): void {
  const before = v8.getHeapStatistics().used_heap_size;
  const started = performance.now();
  try {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  } catch (err) {
    logger.warn(`embedded-db: no garbage collection after loading: ${(err as Error).message}`);
    return;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  const mb = (n: number): number => Math.round(n / 2 ** 20);
  logger.info(
    `embedded-db: garbage collected after loading in ${Math.round(performance.now() - started)} ms, heap ${mb(before)} MB -> ${mb(v8.getHeapStatistics().used_heap_size)} MB`,
  );
}

async function main(): Promise<number> {
  // When the parent that reads our output dies, writing to its pipes fails with EPIPE: that must
  // not crash the server before it has stopped cleanly and released the dbPath lock.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let values: { port?: string; dbpath?: string; host?: string; help?: boolean; quiet?: boolean; 'compact-after-bytes'?: string };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        dbpath: { type: 'string' },
        host: { type: 'string' },
        quiet: { type: 'boolean' },
        'compact-after-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    return 64;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = values.port === undefined ? 27017 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got "${values.port}"\n`);
    return 64;
  }
  const compactRaw = values['compact-after-bytes'];
  const compactAfterBytes = compactRaw === undefined ? undefined : Number(compactRaw);
  if (compactAfterBytes !== undefined && !(Number.isInteger(compactAfterBytes) && compactAfterBytes > 0)) {
    process.stderr.write(`--compact-after-bytes must be a positive integer, got "${compactRaw}"\n`);
    return 64;
  }
  const logger = stderrLogger(values.quiet ?? false);
  const dbPath = values.dbpath ? path.resolve(values.dbpath) : undefined;
  let db: EmbeddedDb;
  try {
    db = await startEmbeddedDb({ port, host: values.host ?? '127.0.0.1', dbPath, logger, compactAfterBytes });
  } catch (err) {
    if (err instanceof DbPathLockedError) {
      logger.error(err.message);
      return 100; // mongod's exit code for "dbpath in use"
    }
    logger.error(`embedded-db: could not start: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
  if (dbPath) collectLoadGarbage(logger);
  logger.info(`embedded-db: pid ${process.pid}, ${dbPath ? `data in ${dbPath}` : 'in memory: nothing is kept after it stops'}`);
  process.stdout.write(`${READY_PREFIX} ${db.uri}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (why: string, code: number): void => {
      if (stopping) {
        // A second Ctrl-C: the user wants out now. Acknowledged writes are already on disk.
        process.exit(1);
      }
      stopping = true;
      logger.info(`embedded-db: ${why}, stopping`);
      db.stop().then(
        () => resolve(code),
        (err: unknown) => {
          logger.error(`embedded-db: error while stopping: ${String(err)}`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT received', 0));
    process.on('SIGTERM', () => stop('SIGTERM received', 0));
    // Started by the portal with an IPC channel: if the portal dies, so do we (no orphan
    // server holding the dbPath lock).
    if (process.send) process.on('disconnect', () => stop('parent process went away', 0));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`embedded-db: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
