/**
 * One rule for drafts: a draft is private to its author until it is submitted (published). No one
 * else — the organizer, the author's own liaison, another SME, an anonymous visitor — can open it,
 * its files, its edit or delete pages, act on it, or find it; the author can, and once published
 * everyone may read it.
 */
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { pdfBytes } from '../../fixtures/files';
import { Practice } from '../../../src/modules/practices/model';
import { GOOD_PRACTICE, idFromLocation, postPractice } from './helpers';

jest.setTimeout(60_000);

let t: TestApp;
let author: Agent;
const others: Record<string, Agent> = {};

async function agentOf(opts: Parameters<typeof makeUser>[0]): Promise<Agent> {
  const u = await makeUser(opts);
  const agent = newAgent(t.app);
  await login(agent, u.email, u.password);
  return agent;
}

beforeAll(async () => {
  t = await createTestApp();
  author = await agentOf({ role: 'member', member: 'PL' });
  others.organizer = newAgent(t.app);
  await login(others.organizer, ORGANIZER.email, ORGANIZER.password);
  others.ownLiaison = await agentOf({ role: 'liaison', member: 'PL' });
  others.otherSme = await agentOf({ role: 'member', member: 'PL' });
  others.anonymous = newAgent(t.app);
});
afterAll(async () => {
  await t.close();
});

test('a practice draft is the author’s alone until it is published', async () => {
  const res = await postPractice(author, '/practices/new', { ...GOOD_PRACTICE, title: 'Pierogi export draft', intent: 'draft' }, [{ bytes: pdfBytes(), name: 'plan.pdf' }]);
  expect(res.status).toBe(303);
  const id = idFromLocation(res.headers.location);
  const fileId = String((await Practice.findById(id).lean())!.attachments[0]!._id);
  const pages = [`/practices/${id}`, `/practices/${id}/files/${fileId}`, `/practices/${id}/edit`, `/practices/${id}/delete`];

  for (const url of pages) expect([url, (await author.get(url)).status]).toEqual([url, 200]);
  for (const [who, agent] of Object.entries(others)) {
    for (const url of pages) {
      const status = (await agent.get(url)).status;
      // Anonymous visitors are sent to log in where a page needs a user; nobody else may know it exists.
      expect([who, url, status]).toEqual([who, url, who === 'anonymous' && /edit|delete/.test(url) ? 303 : 404]);
    }
    expect((await agent.get('/practices?q=pierogi')).text).not.toContain('Pierogi export draft');
  }
  const org = others.organizer!;
  expect((await org.get(`/admin/practices/${id}/hide`)).status).toBe(404);
  expect((await postForm(org, `/admin/practices/${id}/hide`, { reason: 'Looking' }, '/admin/practices')).status).toBe(404);
  expect((await org.get('/admin/practices')).text).not.toContain('Pierogi export draft');
  expect((await postForm(others.ownLiaison!, `/practices/${id}/interest`, {}, '/practices')).status).toBe(404);
  expect((await postForm(others.otherSme!, `/practices/${id}/delete`, {}, '/practices')).status).toBe(404);
  expect(await Practice.exists({ _id: id })).not.toBeNull();

  // Submitted: now everyone may read it.
  const pub = await postPractice(author, `/practices/${id}/edit`, { ...GOOD_PRACTICE, title: 'Pierogi export draft', intent: 'publish' });
  expect(pub.status).toBe(303);
  for (const agent of Object.values(others)) expect((await agent.get(`/practices/${id}`)).status).toBe(200);
});
