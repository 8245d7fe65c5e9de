/**
 * The real start command: `tsx src/server.ts` on a fresh DATA_DIR starts the embedded database,
 * seeds, prints the organizer login, answers HTTP, and on SIGTERM finishes and exits 0 with the
 * database child gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';

const ROOT = path.resolve(__dirname, '../../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}:\n${out}`));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

jest.setTimeout(120_000);

test('npm start runs on the embedded database and stops gracefully on SIGTERM', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-start-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const output = await waitForOutput(child, /ASEM SME Exchange: http:\/\/localhost:\d+/, 90_000);
    expect(output).toMatch(/Organizer account created: \S+@\S+ \/ \S+/);
    const dbLine = output.split('\n').find((line) => line.includes('connected to the embedded database'));
    // JSON.parse keeps the last "pid" key: the database child's, after pino's own.
    const dbPid = dbLine ? Number((JSON.parse(dbLine) as { pid: number }).pid) : NaN;
    expect(Number.isFinite(dbPid)).toBe(true);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const home = await fetch(`http://127.0.0.1:${port}/`);
    expect({ status: home.status, body: home.status === 200 ? '' : await home.text() }).toEqual({ status: 200, body: '' });

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isAlive(dbPid)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
