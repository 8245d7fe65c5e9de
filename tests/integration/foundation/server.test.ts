/**
 * The real start command: `tsx src/server.ts` on a fresh DATA_DIR starts the embedded database,
 * seeds, prints the organizer login, answers HTTP, and on SIGTERM finishes and exits 0 with the
 * database child gone; a restart after a clean stop skips the repairs after a crash, a restart after
 * kill -9 runs them.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedDbFrom, freePort, isAlive, startServer, waitForOutput } from '../../helpers/server-process';

jest.setTimeout(300_000);

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

test('a restart after a clean stop skips the repairs after a crash; a restart after kill -9 runs them', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-restart-'));
  const env = async () => ({ DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), PORT: String(await freePort()), LOG_LEVEL: 'info' });
  const checksOf = (output: string) => {
    const line = output.split('\n').find((l) => l.includes('start-up checks done'));
    if (!line) throw new Error(`no "start-up checks done" line in:\n${output}`);
    return JSON.parse(line) as { afterCrash: boolean };
  };
  const children: ChildProcess[] = [];
  const start = async () => {
    const child = startServer(await env());
    children.push(child);
    // The log line may come after the listening line (the logger writes asynchronously).
    const output = await waitForOutput(child, /^(?=[\s\S]*ASEM SME Exchange: http:\/\/localhost:\d+)(?=[\s\S]*start-up checks done[^\n]*\n)/, 90_000);
    return { child, output };
  };
  try {
    const first = await start();
    expect(checksOf(first.output).afterCrash).toBe(false);
    const stopped = new Promise((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGTERM');
    await stopped;

    const second = await start();
    expect(checksOf(second.output).afterCrash).toBe(false);
    // kill -9: neither the portal nor its database can clean up.
    const dbPid = embeddedDbFrom(second.output).pid;
    const killed = new Promise((resolve) => second.child.on('exit', resolve));
    second.child.kill('SIGKILL');
    process.kill(dbPid, 'SIGKILL');
    await killed;
    // The database process must be gone before the next start takes its data directory.
    while (isAlive(dbPid)) await new Promise((resolve) => setTimeout(resolve, 50));

    const third = await start();
    expect(checksOf(third.output).afterCrash).toBe(true);
    const done = new Promise((resolve) => third.child.on('exit', resolve));
    third.child.kill('SIGTERM');
    await done;
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

