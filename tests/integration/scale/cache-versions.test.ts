/**
 * Process-level caches with several app instances on one database: the in-process test app (A) and
 * a second portal started as its own process (B, `src/server.ts` with MONGODB_URI set to A's
 * database), so the two share nothing but the database. Each caches the ASEM members, the board
 * categories, the shown fair edition and the drawn floor plan; a write on one must reach the other
 * through the version stamps in `cache_versions` (each instance reads them at most once a second).
 * Waits are on conditions with generous bounds, never on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mongoose, { trusted } from 'mongoose';
import request from 'supertest';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { testDbUri } from '../../helpers/db';
import { csrfFrom } from '../../helpers/http';
import { renameAsemMember } from '../../../src/modules/members';
import { BoardCategory } from '../../../src/modules/board';
import { Booth, FairEdition } from '../../../src/modules/fair';

const ROOT = path.resolve(__dirname, '../../..');

let a: TestApp;
let b: { child: ChildProcess; url: string; dataDir: string };

function startSecondInstance(dbUri: string): Promise<{ child: ChildProcess; url: string; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-second-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'warn',
      BASE_URL: 'http://portal.test',
      MONGODB_URI: dbUri,
      DATA_DIR: dataDir,
      UPLOAD_DIR: path.join(dataDir, 'uploads'),
      SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
      SMTP_URL: a.smtp.url,
      ADMIN_EMAIL: ORGANIZER.email,
      ADMIN_PASSWORD: ORGANIZER.password,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      const m = /listening on port (\d+)/.exec(line);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}`, dataDir });
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => reject(new Error(`the second instance exited with ${code}:\n${tail.join('\n')}`)));
  });
}

beforeAll(async () => {
  const dbUri = testDbUri('instances');
  a = await createTestApp({ dbUri });
  b = await startSecondInstance(dbUri);
}, 240_000);

afterAll(async () => {
  if (b?.child.exitCode === null) {
    const exited = new Promise((resolve) => b.child.once('exit', resolve));
    b.child.kill('SIGTERM');
    await exited;
  }
  if (b) rmSync(b.dataDir, { recursive: true, force: true });
  await a?.close();
}, 60_000);

/** Asks until the page shows what is expected (each instance checks the stamps once a second). */
async function eventually(fetch: () => Promise<string>, expected: (html: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await fetch();
    if (expected(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never saw ${what}`);
}

const onB = async (pagePath: string) => (await request(b.url).get(pagePath)).text;
const onA = async (pagePath: string) => (await request(a.app).get(pagePath)).text;

test('a member renamed on one instance is renamed on the other', async () => {
  // Both instances have read (and cached) the members list.
  expect(await onB('/members/TH')).toContain('<h1>Thailand</h1>');
  expect(await onA('/members/TH')).toContain('<h1>Thailand</h1>');
  await renameAsemMember('TH', { en: 'Kingdom of Thailand', 'zh-CN': '泰王国' });
  // The writing instance sees it at once; the other within its check interval.
  expect(await onA('/members/TH')).toContain('<h1>Kingdom of Thailand</h1>');
  await eventually(() => onB('/members/TH'), (html) => html.includes('<h1>Kingdom of Thailand</h1>'), 'the new name on the second instance');
  await eventually(() => onB('/members?lang=zh-CN'), (html) => html.includes('泰王国'), 'the new Chinese name in the directory');
});

test('a board category edited on one instance is edited on the other', async () => {
  const category = await BoardCategory.findOne().sort({ position: 1 }).lean();
  expect(await onB('/board')).toContain(category!.name.en);
  await BoardCategory.updateOne({ _id: category!._id }, { $set: { 'name.en': 'Renamed on the first instance' } });
  expect(await onA('/board')).toContain('Renamed on the first instance');
  await eventually(() => onB(`/board/${category!.slug}`), (html) => html.includes('Renamed on the first instance'), 'the renamed category');
});

test('the floor plan drawn on the other instance follows a new booth and a renamed edition', async () => {
  const edition = await FairEdition.findOne({ status: trusted({ $in: ['open', 'closed', 'allocated'] }) }).sort({ year: -1 }).lean();
  expect(edition).not.toBeNull();
  const before = await onB('/fair');
  expect(before).not.toContain('data-code="Z99"');
  await Booth.create({ edition: edition!._id, code: 'Z99', x: 60, y: 40, width: 3, depth: 3, features: [] });
  await eventually(() => onB('/fair'), (html) => html.includes('data-code="Z99"'), 'the new booth on the plan');
  await FairEdition.updateOne({ _id: edition!._id }, { $set: { 'name.en': 'The Renamed Fair' } });
  await eventually(() => onB('/fair'), (html) => html.includes('The Renamed Fair'), 'the renamed edition');
});

test('a change made through the other instance’s forms reaches this one', async () => {
  const agent = request.agent(b.url);
  const loginPage = await agent.get('/login');
  const signedIn = await agent.post('/login').type('form').send({ email: ORGANIZER.email, password: ORGANIZER.password, _csrf: csrfFrom(loginPage.text) });
  expect(signedIn.status).toBe(303);
  expect(await onA('/members/MT')).toContain('<h1>Malta</h1>');
  const form = await agent.get('/admin/members/MT');
  const saved = await agent.post('/admin/members/MT').type('form').send({ nameEn: 'Republic of Malta', nameZh: '马耳他共和国', _csrf: csrfFrom(form.text) });
  expect(saved.status).toBe(303);
  await eventually(() => onA('/members/MT'), (html) => html.includes('<h1>Republic of Malta</h1>'), 'the name saved on the second instance');
  // The stamp lives in the database, beside the data.
  const stamp = await mongoose.connection.db!.collection<{ _id: string; v: number }>('cache_versions').findOne({ _id: 'asem-members' });
  expect(stamp!.v).toBeGreaterThanOrEqual(2);
});
