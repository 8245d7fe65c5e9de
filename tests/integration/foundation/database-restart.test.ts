/**
 * The portal survives its database dying: under the real start command, the embedded database
 * process is killed (SIGKILL) while an organizer keeps publishing practices. The portal restarts
 * the database (the new process takes over the stale lock and replays the journal), answers
 * within the time limit or with 503 meanwhile (never a 500), serves again, and every write it
 * acknowledged is in the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { DEFAULT_DB_NAME } from '../../../src/db';
import { csrfFrom, login } from '../../helpers/http';
import { embeddedDbFrom, freePort, isAlive, startServer, waitForOutput } from '../../helpers/server-process';
import { GOOD_PRACTICE } from '../practices/helpers';

jest.setTimeout(240_000);

const ADMIN = { email: 'organizer@restart.test', password: 'organizer-pass-2026' };

/** Waits until check() holds, looking again every 100 ms, failing after a generous bound. */
async function until(check: () => boolean | Promise<boolean>, what: string, boundMs = 120_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kill -9 of the embedded database under load: 503 or a wait within the limit meanwhile (never a 500), restarted, every acknowledged write kept', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-restart-'));
  const port = await freePort();
  const child = startServer({
    DATA_DIR: dataDir,
    UPLOAD_DIR: path.join(dataDir, 'uploads'),
    PORT: String(port),
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    REQUEST_TIMEOUT_MS: '2000',
  }, { ownGroup: true });
  let all = '';
  child.stdout?.on('data', (c: Buffer) => (all += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (all += c.toString()));
  let client: mongoose.mongo.MongoClient | undefined;
  try {
    const output = await waitForOutput(child, /ASEM SME Exchange: http:\/\/localhost:\d+/, 120_000);
    const db = embeddedDbFrom(output);
    const base = `http://127.0.0.1:${port}`;
    const agent = request.agent(base);
    await login(agent, ADMIN.email, ADMIN.password);

    const publish = (token: string, title: string) => {
      let req = agent.post(`/practices/new?_csrf=${encodeURIComponent(token)}`);
      for (const [k, v] of Object.entries({ ...GOOD_PRACTICE, kind: 'policy', member: 'CN', title })) {
        for (const item of Array.isArray(v) ? v : [v]) req = req.field(k, item);
      }
      return req;
    };
    // A light load: two writers publishing practices one after the other.
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let running = true;
    let seq = 0;
    const writer = async () => {
      while (running) {
        const title = `Durable practice ${++seq}`;
        // The form page (for its CSRF token), then the post; either may meet the outage.
        const form = await agent.get('/practices/new');
        const status = form.status === 200 ? (await publish(csrfFrom(form.text), title)).status : form.status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 303) acknowledged.push(title);
        else await new Promise((r) => setTimeout(r, 100)); // pace the retries while it is down
      }
    };
    const writers = [writer(), writer()];
    await until(() => acknowledged.length >= 5, 'writes before the kill');

    const restarted = waitForOutput(child, /the embedded database is running again/, 120_000);
    process.kill(db.pid, 'SIGKILL');
    const restartLog = await restarted;
    const ackedAtRestart = acknowledged.length;
    await until(() => acknowledged.length >= ackedAtRestart + 5, 'writes after the restart');
    running = false;
    await Promise.all(writers);

    expect(restartLog).toMatch(/stopped unexpectedly; restarting it/);
    expect(isAlive(db.pid)).toBe(false);
    // While it was down a request either waited for it within its time limit (then 303) or got
    // the 503 page; how many of each depends on the machine's speed, so only "nothing else" is asserted.
    expect([...statuses.keys()].filter((s) => s !== 303 && s !== 503)).toEqual([]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    client = new mongoose.mongo.MongoClient(db.uri);
    await client.connect();
    const titles = new Set((await client.db(DEFAULT_DB_NAME).collection('practices').find({}, { projection: { title: 1 } }).toArray()).map((p) => p.title as string));
    expect(acknowledged.filter((t) => !titles.has(t))).toEqual([]);
    await client.close();
    client = undefined;

    // Ctrl-C reaches the whole foreground group: the portal shuts down in order and the database,
    // in a group of its own, is stopped by it — not taken for a crash and restarted.
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(all.match(/stopped unexpectedly/g)).toHaveLength(1); // the kill -9 above, nothing more
    expect(all).toMatch(/"msg":"stopped"/);
  } finally {
    await client?.close();
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
