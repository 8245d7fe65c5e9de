/**
 * The posting rate limit applies to accounts younger than 7 days, keyed by user id.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { Conversation } from '../../../src/modules/messages/model';

// A slow shared machine: password hashing and several logins per test.
jest.setTimeout(30_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ rateLimits: { posting: { points: 2, durationSeconds: 600 } } });
});
afterAll(async () => {
  await t.close();
});

test('an account younger than 7 days is limited (new conversations and replies); an older one is not', async () => {
  const fresh = await makeUser({ role: 'liaison', member: 'PL' });
  const old = await makeUser({ role: 'liaison', member: 'CZ', createdAt: new Date(Date.now() - 30 * 24 * 3600 * 1000) });
  const peer = await makeUser({ role: 'liaison', member: 'SK' });
  const agentFresh = newAgent(t.app);
  await login(agentFresh, fresh.email, fresh.password);
  const agentOld = newAgent(t.app);
  await login(agentOld, old.email, old.password);
  const post = (agent: Agent, n: number) => postForm(agent, '/messages/new', { recipients: peer.id, subject: `S${n}`, body: 'Hello' }, '/messages/new');

  const first = await post(agentFresh, 1);
  expect(first.status).toBe(303);
  expect((await postForm(agentFresh, first.headers.location!, { body: 'A reply' }, '/messages/new')).status).toBe(303);
  const third = await post(agentFresh, 3);
  expect(third.status).toBe(429);
  expect(third.headers['retry-after']).toBeDefined();
  expect(third.text).toContain('Too many attempts');
  expect(await Conversation.countDocuments({ startedBy: fresh.id })).toBe(1);

  for (let i = 0; i < 4; i++) expect((await post(agentOld, i)).status).toBe(303);
});
