/**
 * Rate limits on registration and password-reset requests: the attempt over the limit gets a
 * readable 429 page with Retry-After, and nothing is created.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { csrfFrom, newAgent, postForm } from '../../helpers/http';
import { User } from '../../../src/modules/accounts/model';

// Building the app hashes passwords with argon2 on a shared machine: give the hooks room.
jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ rateLimits: { registration: { points: 2, durationSeconds: 60 }, passwordReset: { points: 1, durationSeconds: 60 } } });
});
afterAll(async () => {
  await t.close();
});

const registration = (n: number) => ({
  name: `Limit ${n}`,
  email: `limit${n}-${Date.now()}@example.com`,
  password: 'harbour-lantern-blue-7',
  language: 'en',
  companyName: `Limit Co ${n}`,
  member: 'DE',
  sector: 'trade',
  size: 'micro',
});

test('the third registration from one address within a minute is refused with 429', async () => {
  const agent = newAgent(t.app);
  expect((await postForm(agent, '/register', registration(1), '/register')).status).toBe(200);
  expect((await postForm(agent, '/register', registration(2), '/register')).status).toBe(200);
  const third = registration(3);
  const res = await postForm(agent, '/register', third, '/register');
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.text).toContain('Too many attempts');
  expect(res.text).toContain('<html lang="en">');
  expect(await User.countDocuments({ email: third.email })).toBe(0);
});

test('password-reset requests are limited too', async () => {
  const agent = newAgent(t.app);
  expect((await postForm(agent, '/forgot-password', { email: 'a@example.com' }, '/forgot-password')).status).toBe(200);
  const res = await postForm(agent, '/forgot-password', { email: 'b@example.com' }, '/forgot-password');
  expect(res.status).toBe(429);
  expect(res.text).toContain('Too many attempts');
});

test('accepting an official\'s invitation counts against the registration budget (429 when spent)', async () => {
  const agent = newAgent(t.app);
  const page = await agent.get('/login');
  const csrf = csrfFrom(page.text);
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await agent.post('/invitation').type('form').send({ token: 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', name: 'Guess', password: 'harbour-lantern-blue-7', _csrf: csrf });
    statuses.push(res.status);
  }
  // Dead links answer 400 until the budget is spent; nothing is ever created.
  expect(statuses).toEqual([400, 400, 429]);
  expect(await User.exists({ name: 'Guess' })).toBeNull();
});
