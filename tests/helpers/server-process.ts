/**
 * The real start command (`src/server.ts` through tsx) as a child process, for tests of start-up,
 * shutdown and the embedded database's life under the portal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Resolves with the output seen since the call once it matches; fails on exit or after timeoutMs. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        done();
        resolve(out);
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`exited with ${code} before ${pattern}:\n${out}`));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `src/server.ts` with only the given environment (plus PATH and HOME). With `ownGroup`
 * it leads a process group of its own, as a shell's foreground job does, so a test can send a
 * signal to the whole group (Ctrl-C: `process.kill(-pid, 'SIGINT')`).
 */
export function startServer(env: Record<string, string>, opts: { ownGroup?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.ownGroup === true,
  });
}

/** The embedded database's pid and address from the portal's "connected" log line. */
export function embeddedDbFrom(output: string): { pid: number; uri: string } {
  const line = output.split('\n').find((l) => l.includes('connected to the embedded database'));
  if (!line) throw new Error(`no "connected to the embedded database" line in:\n${output}`);
  // JSON.parse keeps the last "pid" key: the database child's, after pino's own.
  const parsed = JSON.parse(line) as { pid: number; uri: string };
  return { pid: Number(parsed.pid), uri: parsed.uri };
}
