/**
 * Every page of the module renders in English and Chinese (keys are checked in
 * tests/unit/messages/catalogue.test.ts), with no inline style and no e-mail address of another person.
 */
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';

// A slow shared machine: password hashing and several logins per test.
jest.setTimeout(30_000);

let t: TestApp;
let organizer: Agent;
let liaison: Agent;
let member: Agent;
const paths: { who: () => Agent; path: string }[] = [];
let peerEmail = '';

beforeAll(async () => {
  t = await createTestApp();
  const l = await makeUser({ role: 'liaison', member: 'SG', name: 'Tan Liaison' });
  const peer = await makeUser({ role: 'liaison', member: 'PH' });
  const m = await makeUser({ role: 'member', member: 'SG' });
  peerEmail = peer.email;
  organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
  liaison = newAgent(t.app);
  await login(liaison, l.email, l.password);
  member = newAgent(t.app);
  await login(member, m.email, m.password);
  const conv = await postForm(liaison, '/messages/new', { recipients: peer.id, subject: 'Pages', body: 'Body' }, '/messages/new');
  const ann = await postForm(organizer, '/admin/announcements/new', { subject: 'Notice', body: 'Body', audience: 'all' }, '/admin/announcements/new');
  const annId = ann.headers.location!.split('/').pop()!;
  paths.push(
    { who: () => liaison, path: '/messages' },
    { who: () => liaison, path: '/messages/new' },
    { who: () => liaison, path: conv.headers.location! },
    { who: () => liaison, path: '/messages/liaisons' },
    { who: () => liaison, path: '/messages/announcements' },
    { who: () => liaison, path: `/messages/announcements/${annId}` },
    { who: () => member, path: '/messages/new' },
    { who: () => organizer, path: '/messages/new' },
    { who: () => organizer, path: '/admin/announcements' },
    { who: () => organizer, path: '/admin/announcements/new' },
    { who: () => organizer, path: `/admin/announcements/${annId}` },
  );
});
afterAll(async () => {
  await t.close();
});

test.each(['en', 'zh-CN'])('all pages render in %s without missing keys', async (lang) => {
  for (const { who, path } of paths) {
    const res = await who().get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
    expect([path, res.status]).toEqual([path, 200]);
    expect([path, res.text.includes('{{')]).toEqual([path, false]); // nothing left uninterpolated
    expect(res.text).not.toContain(peerEmail);
    expect(res.text).not.toMatch(/style="/);
    if (lang === 'zh-CN') expect(res.text).toContain('<html lang="zh-CN">');
  }
});

test('the home page shows a signed-in reader their conversations and announcements to acknowledge', async () => {
  const home = await liaison.get('/?lang=en');
  expect(home.status).toBe(200);
  expect(home.text).toContain('Your messages');
  expect(home.text).toContain('>Pages</a>');
  expect(home.text).toContain('>Notice</a>');
  const anonymous = await newAgent(t.app).get('/');
  expect(anonymous.text).not.toContain('Your messages');
});
