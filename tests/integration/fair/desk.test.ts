/**
 * The organizer's and liaison's other decisions over HTTP (decline, waiting list, reject) with
 * their e-mails, quota changes reaching the counters, and the home page section.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { postForm } from '../../helpers/http';
import { BoothRequest, QuotaCounter } from '../../../src/modules/fair';
import { editionFormValues } from '../../../src/modules/fair/editions';
import type { FairEditionDoc } from '../../../src/modules/fair/model';
import { agentFor, boothId, memberWithAgent, organizerAgent, seededEdition, submitRequest } from './helpers';

jest.setTimeout(60_000);

let t: TestApp;
let edition: FairEditionDoc;
beforeAll(async () => {
  t = await createTestApp();
  edition = await seededEdition();
});
afterAll(async () => {
  await t.close();
});

test('the home page shows the current edition and its request window', async () => {
  const res = await request(t.app).get('/').set('Accept-Language', 'zh-CN');
  expect(res.text).toContain('id="fair-home-title"');
  expect(res.text).toContain(edition.name['zh-CN']);
  expect(res.text).toContain('开放中');
});

test('liaison declines: the member is told, in its language, with the note', async () => {
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'TH' }));
  const { user, agent } = await memberWithAgent(t.app, { member: 'TH', language: 'zh-CN' });
  const id = await submitRequest(agent, { wishedCodes: '' });
  const res = await postForm(liaison, `/fair/requests/${id}/decline`, { note: 'Please register the company first' }, `/fair/requests/${id}`);
  expect(res.status).toBe(303);
  const mail = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.subject.includes('未推荐'));
  expect(mail.text).toContain('Please register the company first');
  expect((await BoothRequest.findById(id).lean())!).toMatchObject({ status: 'declined', active: false });
  // A declined request no longer blocks a new one.
  await submitRequest(agent, { wishedCodes: '' });
});

test('organizer waitlists then rejects; the member and the liaison hear each time', async () => {
  const liaisonUser = await makeUser({ role: 'liaison', member: 'SG' });
  const liaison = await agentFor(t.app, liaisonUser);
  const { user, agent } = await memberWithAgent(t.app, { member: 'SG' });
  const org = await organizerAgent(t.app);
  const id = await submitRequest(agent, { wishedCodes: '' });
  await postForm(liaison, `/fair/requests/${id}/endorse`, {}, `/fair/requests/${id}`);
  const wl = await postForm(org, `/fair/requests/${id}/waitlist`, { note: 'Hall full for now' }, `/admin/fair/requests/${id}`);
  expect(wl.status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(user.email) && /waiting list/.test(m.subject));
  await t.smtp.waitFor((m) => m.to.includes(liaisonUser.email) && /waiting list/.test(m.subject));
  const desk = await org.get(`/admin/fair/editions/${edition._id}`);
  expect(desk.text).toMatch(/Waiting list \(in order\)[\s\S]*?Singapore/);
  const rej = await postForm(org, `/fair/requests/${id}/reject`, { note: 'No space left' }, `/admin/fair/requests/${id}`);
  expect(rej.status).toBe(303);
  const mail = await t.smtp.waitFor((m) => m.to.includes(user.email) && /not accepted/.test(m.subject));
  expect(mail.text).toContain('No space left');
  const again = await postForm(org, `/fair/requests/${id}/reject`, {}, `/admin/fair/requests/${id}`);
  expect(again.status).toBe(409);
});

test('approving with a forged booth id or none: back to the screen with a message, nothing allocated', async () => {
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'MY' }));
  const { agent } = await memberWithAgent(t.app, { member: 'MY' });
  const org = await organizerAgent(t.app);
  const id = await submitRequest(agent, { wishedCodes: '' });
  await postForm(liaison, `/fair/requests/${id}/endorse`, {}, `/fair/requests/${id}`);
  const none = await postForm(org, `/fair/requests/${id}/approve`, {}, `/admin/fair/requests/${id}`);
  expect(none.status).toBe(422);
  expect(none.text).toContain('Tick at least one free booth.');
  const forged = await postForm(org, `/fair/requests/${id}/approve`, { booths: ['$gt', 'abc'] }, `/admin/fair/requests/${id}`);
  expect(forged.status).toBe(422);
  expect(forged.text).toContain(`action="/fair/requests/${id}/approve"`);
  expect((await BoothRequest.findById(id).lean())!.status).toBe('endorsed');
  // A booth somebody already holds is refused with a clear conflict.
  const a = await boothId(edition._id, 'F10');
  const other = await memberWithAgent(t.app, { member: 'MY' });
  const id2 = await submitRequest(other.agent, { wishedCodes: '' });
  await postForm(liaison, `/fair/requests/${id2}/endorse`, {}, `/fair/requests/${id2}`);
  expect((await postForm(org, `/fair/requests/${id}/approve`, { booths: [a] }, `/admin/fair/requests/${id}`)).status).toBe(303);
  const taken = await postForm(org, `/fair/requests/${id2}/approve`, { booths: [a] }, `/admin/fair/requests/${id2}`);
  expect(taken.status).toBe(422);
  expect(taken.text).toContain('Booth F10 was just given to another request');
  expect((await QuotaCounter.findOne({ edition: edition._id, member: 'MY' }).lean())!.used).toBe(1);
});

test('a changed quota reaches the counters and the request form', async () => {
  const org = await organizerAgent(t.app);
  const values = { ...editionFormValues(edition), quotaOverrides: 'MY=5' };
  const res = await postForm(org, `/admin/fair/editions/${edition._id}/edit`, values, `/admin/fair/editions/${edition._id}/edit`);
  expect(res.status).toBe(303);
  const counter = await QuotaCounter.findOne({ edition: edition._id, member: 'MY' }).lean();
  if (counter) expect(counter.quota).toBe(5);
  const { agent } = await memberWithAgent(t.app, { member: 'MY' });
  expect((await agent.get('/fair/requests/new')).text).toContain('up to 5 booths');
});
