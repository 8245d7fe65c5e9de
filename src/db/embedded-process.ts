/**
 * Runs the embedded database in a child process (src/embedded-db/cli.ts), so the database and
 * the web server each get a core and each notices when the other dies: the child holds an IPC
 * channel to us and stops when it closes; we watch the child's exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import readline from 'node:readline';

/** The word src/embedded-db/cli.ts prints before its address; keep the two in step. */
const READY_PREFIX = 'EMBEDDED_DB_READY';

export interface ProcessLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EmbeddedDbProcessOptions {
  /** Omit to keep the data in memory. */
  dbPath?: string;
  port?: number;
  /** More command-line options for the child (see `npm run db -- --help`). */
  extraArgs?: string[];
  logger: ProcessLogger;
  /** How long to wait for the ready line: generous, a cold tsx start on a loaded machine, or replaying a large journal, can take minutes (default 5). */
  readyTimeoutMs?: number;
  /** Called when the child exits without stop() having been called. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface EmbeddedDbProcess {
  uri: string;
  pid: number;
  /** Resolves when the child has exited, however that happened. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited within the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * From sources (tsx, ts-jest) the child runs cli.ts through tsx; from a compiled build it runs
 * cli.js with plain node, since dist/ may be deployed without tsx.
 */
function childCommand(args: string[]): { file: string; argv: string[] } {
  const compiled = __filename.endsWith('.js');
  const cli = path.join(__dirname, '..', 'embedded-db', compiled ? 'cli.js' : 'cli.ts');
  // tsx by absolute URL: a bare `--import tsx` is resolved from the working directory, which
  // need not be the project's.
  const argv = compiled ? [cli, ...args] : ['--import', pathToFileURL(require.resolve('tsx')).href, cli, ...args];
  return { file: process.execPath, argv };
}

export function spawnEmbeddedDb(opts: EmbeddedDbProcessOptions): Promise<EmbeddedDbProcess> {
  const args = ['--port', String(opts.port ?? 0)];
  if (opts.dbPath) args.push('--dbpath', opts.dbPath);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const { file, argv } = childCommand(args);
  // A process group of its own: Ctrl-C in a terminal reaches the portal only, which finishes its
  // requests and then stops the database (rather than the database vanishing first and being
  // taken for a crash). If the portal dies, the child still stops: its IPC channel closes.
  const child: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env, detached: true });
  const log = opts.logger;
  let stopping = false;
  let ready = false;
  const stderrTail: string[] = [];

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  // The child's log lines are "ISO-time level message": pass them on at their level.
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    const m = /^\S+ (info|warn|error) (.*)$/.exec(line);
    const level = m ? (m[1] as 'info' | 'warn' | 'error') : 'warn';
    log[level]({ component: 'embedded-db', pid: child.pid }, m ? m[2] : line);
  });

  return new Promise<EmbeddedDbProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new Error(`the embedded database did not report ready within ${opts.readyTimeoutMs ?? 300_000} ms`));
      child.kill('SIGKILL');
    }, opts.readyTimeoutMs ?? 300_000);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };

    child.once('error', (err) => fail(new Error(`could not start the embedded database: ${err.message}`)));
    void exited.then(({ code, signal }) => {
      if (!ready) {
        fail(new Error(`the embedded database exited before it was ready (code ${code}, signal ${signal}):\n${stderrTail.join('\n')}`));
        return;
      }
      if (stopping) return;
      log.error({ component: 'embedded-db', pid: child.pid, code, signal }, 'the embedded database process died');
      opts.onUnexpectedExit?.(code, signal);
    });

    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      if (ready || !line.startsWith(READY_PREFIX + ' ')) return;
      ready = true;
      clearTimeout(timer);
      const uri = line.slice(READY_PREFIX.length + 1).trim();
      resolve({
        uri,
        pid: child.pid!,
        exited,
        async stop(timeoutMs = 10_000): Promise<void> {
          stopping = true;
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          let killTimer: NodeJS.Timeout | undefined;
          const killed = new Promise<void>((r) => {
            killTimer = setTimeout(() => {
              log.warn({ component: 'embedded-db', pid: child.pid }, 'the embedded database did not stop in time; killing it');
              child.kill('SIGKILL');
              r();
            }, timeoutMs);
          });
          await Promise.race([exited, killed]);
          await exited;
          clearTimeout(killTimer);
        },
      });
    });
  });
}
