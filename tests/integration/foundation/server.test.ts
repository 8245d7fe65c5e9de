/**
 * The real start command: `tsx src/server.ts` on a fresh DATA_DIR starts the embedded database,
 * seeds, prints the organizer login, answers HTTP, and on SIGTERM finishes and exits 0 with the
 * database child gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedDbFrom, freePort, isAlive, startServer, waitForOutput } from '../../helpers/server-process';

jest.setTimeout(120_000);

test('npm start runs on the embedded database and stops gracefully on SIGTERM', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-start-'));
  const port = await freePort();
  const child = startServer({ DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), PORT: String(port), LOG_LEVEL: 'info' });
  try {
    const output = await waitForOutput(child, /ASEM SME Exchange: http:\/\/localhost:\d+/, 90_000);
    expect(output).toMatch(/Organizer account created: \S+@\S+ \/ \S+/);
    const dbPid = embeddedDbFrom(output).pid;
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
