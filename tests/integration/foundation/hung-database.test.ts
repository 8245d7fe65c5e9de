/**
 * A hung database (its process stopped with SIGSTOP): pages and form posts get a 503 page in the
 * reader's language once the request time limit has passed, /healthz answers 503 within its own
 * budget, a form post that was cut off writes nothing even after the database comes back, and the
 * portal serves again once the database resumes (SIGCONT).
 */
import pino from 'pino';
import { spawnEmbeddedDb, type EmbeddedDbProcess } from '../../../src/db';
import { User } from '../../../src/modules/accounts/model';
import { timeLimitEvents } from '../../../src/web/time-limit';
import { createTestApp, type TestApp } from '../../helpers/app';
import { csrfToken, newAgent } from '../../helpers/http';

jest.setTimeout(120_000);

let db: EmbeddedDbProcess;
let t: TestApp;
let stopped = false;
beforeAll(async () => {
  db = await spawnEmbeddedDb({ logger: pino({ level: 'silent' }), port: 0 });
  t = await createTestApp({ dbUri: `${db.uri.replace(/\/+$/, '')}/hung`, env: { REQUEST_TIMEOUT_MS: '1500' } });
});
afterAll(async () => {
  if (stopped) process.kill(db.pid, 'SIGCONT');
  await t?.close();
  await db?.stop();
});

/** A generous bound, far above the limits under test, so a slow machine never fails the test. */
const BOUND_MS = 30_000;
async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = process.hrtime.bigint();
  const value = await work;
  return { value, ms: Number((process.hrtime.bigint() - start) / 1_000_000n) };
}

test('with the database stopped: 503 pages in the reader language, /healthz 503, nothing half-written; served again after it resumes', async () => {
  expect((await newAgent(t.app).get('/healthz')).status).toBe(200);
  const agent = newAgent(t.app);
  const token = await csrfToken(agent, '/register');
  const email = `hung-${Date.now()}@example.com`;
  const form = new URLSearchParams({ _csrf: token, name: 'Hung Request', email, password: 'blue-lantern-harbour-7', language: 'en', companyName: 'Stalled Ltd', member: 'CN', sector: 'manufacturing', size: 'small', website: '', description: 'x', products: 'y' });

  process.kill(db.pid, 'SIGSTOP');
  stopped = true;
  const lateRegister = new Promise<{ method: string; url: string }>((resolve) => {
    const onLate = (e: { method: string; url: string }) => {
      if (e.method !== 'POST') return;
      timeLimitEvents.off('late', onLate);
      resolve(e);
    };
    timeLimitEvents.on('late', onLate);
  });
  const [health, page, post] = await Promise.all([
    timed(newAgent(t.app).get('/healthz')),
    timed(newAgent(t.app).get('/').set('Accept-Language', 'zh-CN,zh;q=0.9')),
    timed(agent.post('/register').type('form').send(form.toString())),
  ]);
  expect(health.value.status).toBe(503);
  expect(health.value.body).toEqual({ status: 'unavailable' });
  expect(health.ms).toBeLessThan(BOUND_MS);
  expect(page.value.status).toBe(503);
  expect(page.value.text).toContain('暂时无法访问');
  expect(page.value.text).toContain('<html lang="zh-CN">');
  expect(page.ms).toBeLessThan(BOUND_MS);
  expect(post.value.status).toBe(503);
  expect(post.value.text).toContain('Temporarily unavailable');
  expect(post.ms).toBeLessThan(BOUND_MS);

  process.kill(db.pid, 'SIGCONT');
  stopped = false;
  // The cut-off registration carries on once the database answers, but its database work is
  // refused: it ends (the event) without a user, a company or a mail.
  expect(await lateRegister).toMatchObject({ method: 'POST', url: '/register' });
  await t.ctx.mailer.drained();
  expect(await User.countDocuments({ email })).toBe(0);
  expect(t.smtp.to(email)).toHaveLength(0);

  expect((await newAgent(t.app).get('/healthz')).status).toBe(200);
  expect((await newAgent(t.app).get('/')).status).toBe(200);
});
