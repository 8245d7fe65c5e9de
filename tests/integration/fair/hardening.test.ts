/**
 * What the walkthrough of the fair found, one test per finding: drafts private to their author,
 * publishing apart from closing requests with confirmation pages, the quota on the allocation page,
 * picking booths on the plan, e-mails per recipient role, member names instead of codes, the
 * reader's own quota and phone numbers in the CSV.
 */
import request from 'supertest';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { postForm } from '../../helpers/http';
import { Booth, BoothAssignment, BoothRequest, FairEdition, QuotaCounter } from '../../../src/modules/fair';
import type { FairEditionDoc } from '../../../src/modules/fair/model';
import { agentFor, boothId, memberWithAgent, organizerAgent, seededEdition, submitRequest } from './helpers';

jest.setTimeout(90_000);

let t: TestApp;
let edition: FairEditionDoc;
beforeAll(async () => {
  t = await createTestApp();
  edition = await seededEdition();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await FairEdition.updateOne({ _id: edition._id }, { $set: { status: 'open', allocationPublishedAt: null, quotaOverrides: [] } });
});

/** A request of `member` endorsed by its liaison, ready for allocation. */
async function endorsedRequest(member: string, data: Record<string, string | number> = {}, company?: string) {
  const { user, agent } = await memberWithAgent(t.app, { member, ...(company ? { company: { name: company } } : {}) });
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member }));
  const id = await submitRequest(agent, { wishedCodes: '', ...data });
  const res = await postForm(liaison, `/fair/requests/${id}/endorse`, {}, `/fair/requests/${id}`);
  expect(res.status).toBe(303);
  return { id, user, agent };
}

test('a booth-request draft is private to its author: organizer and liaison get 404', async () => {
  const { agent } = await memberWithAgent(t.app, { member: 'FR' });
  const id = await submitRequest(agent, { intent: 'draft', wishedCodes: '' });
  const org = await organizerAgent(t.app);
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'FR' }));
  expect((await agent.get(`/fair/requests/${id}`)).status).toBe(200);
  expect((await org.get(`/fair/requests/${id}`)).status).toBe(404);
  expect((await org.get(`/admin/fair/requests/${id}`)).status).toBe(404);
  expect((await liaison.get(`/fair/requests/${id}`)).status).toBe(404);
  expect((await postForm(org, `/fair/requests/${id}/reject`, {}, `/admin/fair/editions/${edition._id}`)).status).toBe(404);
  // The organizer's lists leave drafts out too.
  expect((await org.get(`/admin/fair/editions/${edition._id}?status=draft`)).text).not.toContain(`/admin/fair/requests/${id}`);
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

test('publishing the allocation keeps requests open; closing requests is its own decision; both ask first', async () => {
  const org = await organizerAgent(t.app);
  const base = `/admin/fair/editions/${edition._id}`;
  const ask = await org.get(`${base}/publish`);
  expect(ask.status).toBe(200);
  expect(ask.text).toContain('Publish the allocation?');
  expect(ask.text).toContain(`action="${base}/publish"`);
  expect((await FairEdition.findById(edition._id).lean())!.allocationPublishedAt).toBeNull();
  expect((await postForm(org, `${base}/publish`, {}, `${base}/publish`)).status).toBe(303);
  const published = (await FairEdition.findById(edition._id).lean())!;
  expect(published.allocationPublishedAt).not.toBeNull();
  expect(published.status).toBe('open');
  // Members can still ask for a booth after publication.
  const { agent } = await memberWithAgent(t.app, { member: 'IT' });
  const id = await submitRequest(agent, { wishedCodes: '' });
  const askClose = await org.get(`${base}/close`);
  expect(askClose.status).toBe(200);
  expect(askClose.text).toContain('Close booth requests?');
  expect((await postForm(org, `${base}/close`, {}, `${base}/close`)).status).toBe(303);
  expect((await FairEdition.findById(edition._id).lean())!.status).toBe('closed');
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

test('reject and delete booth ask on a page of their own before they act', async () => {
  const org = await organizerAgent(t.app);
  const { id } = await endorsedRequest('ES', {}, 'Valencia Tiles S.L.');
  const ask = await org.get(`/fair/requests/${id}/reject`);
  expect(ask.status).toBe(200);
  expect(ask.text).toContain('Reject the request of Valencia Tiles S.L.?');
  expect(ask.text).toContain(`action="/fair/requests/${id}/reject"`);
  expect((await BoothRequest.findById(id).lean())!.status).toBe('endorsed');
  expect((await postForm(org, `/fair/requests/${id}/reject`, {}, `/fair/requests/${id}/reject`)).status).toBe(303);
  expect((await BoothRequest.findById(id).lean())!.status).toBe('rejected');

  const booth = await boothId(edition._id, 'F10');
  const askDelete = await org.get(`/admin/fair/editions/${edition._id}/booths/${booth}/delete`);
  expect(askDelete.status).toBe(200);
  expect(askDelete.text).toContain('Delete booth F10?');
  expect(await Booth.exists({ _id: booth })).toBeTruthy();
});

test('the allocation page says how many booths the member has left; going over keeps the organizer there with the choices', async () => {
  const org = await organizerAgent(t.app);
  const { id } = await endorsedRequest('PL', { boothCount: 2 });
  await QuotaCounter.updateOne({ edition: edition._id, member: 'PL' }, { $set: { quota: 3, used: 2 } }, { upsert: true });
  const page = await org.get(`/admin/fair/requests/${id}`);
  expect(page.text).toContain('Poland has 1 booth left of 3.');
  const [b1, b2] = [await boothId(edition._id, 'E01'), await boothId(edition._id, 'E02')];
  const over = await postForm(org, `/fair/requests/${id}/approve`, { booths: [b1, b2] }, `/admin/fair/requests/${id}`);
  expect(over.status).toBe(422);
  expect(over.text).toContain('Poland has 1 booth left');
  expect(over.text).toContain(`formaction="/fair/requests/${id}/waitlist"`);
  expect(over.text).toContain(`href="/admin/fair/editions/${edition._id}/edit#f-quotaOverrides"`);
  expect(over.text).toContain(`value="${b1}" checked`);
  expect(await BoothAssignment.countDocuments({ request: id })).toBe(0);
  await QuotaCounter.updateOne({ edition: edition._id, member: 'PL' }, { $set: { used: 0 } });
});

test('each free booth is a control on the plan, tied to its checkbox', async () => {
  const org = await organizerAgent(t.app);
  const { id } = await endorsedRequest('AT');
  const page = (await org.get(`/admin/fair/requests/${id}`)).text;
  const a01 = await boothId(edition._id, 'A01');
  expect(page).toContain(`id="pick-${a01}"`);
  expect(page).toMatch(new RegExp(`<a href="#pick-${a01}"[^>]*class="fp-pick"[^>]*aria-label="Booth A01, free: pick it"`));
  const picks = page.match(/class="fp-pick"/g) ?? [];
  expect(picks.length).toBe((page.match(/name="booths"/g) ?? []).length);
});

test('the fair page has zoom controls for the plan and a link to its table', async () => {
  const res = await request(t.app).get('/fair');
  expect(res.text).toContain('class="fp-scroll"');
  expect(res.text).toContain('data-zoom="in"');
  expect(res.text).toContain('href="#plan-table"');
  expect(res.text).toContain('id="plan-table"');
});

test('e-mails speak to each recipient: the SME hears its request went to the liaison, the liaison that it awaits endorsement', async () => {
  const liaison = await makeUser({ role: 'liaison', member: 'MY' });
  const { user } = await memberWithAgent(t.app, { member: 'MY', company: { name: 'Penang Batik Co., Ltd.' } });
  const agent = await agentFor(t.app, user);
  const id = await submitRequest(agent, { wishedCodes: '' });
  const toSme = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.text.includes('Penang Batik'));
  expect(toSme.subject).toBe('Your booth request was sent to your liaison');
  expect(toSme.text).not.toContain('..');
  const toLiaison = await t.smtp.waitFor((m) => m.to.includes(liaison.email) && m.text.includes('Penang Batik'));
  expect(toLiaison.subject).toBe('A booth request awaits your endorsement: Penang Batik Co., Ltd.');
  expect(toLiaison.text).not.toContain('Ltd..');

  const la = await agentFor(t.app, liaison);
  await postForm(la, `/fair/requests/${id}/endorse`, {}, `/fair/requests/${id}`);
  const org = await organizerAgent(t.app);
  await postForm(org, `/fair/requests/${id}/approve`, { booths: [await boothId(edition._id, 'D05')] }, `/admin/fair/requests/${id}`);
  const offered = await t.smtp.waitFor((m) => m.to.includes(user.email) && /please confirm/.test(m.subject));
  expect(offered.text).toContain('D05');
  const informed = await t.smtp.waitFor((m) => m.to.includes(liaison.email) && /D05/.test(m.text));
  expect(informed.subject).not.toMatch(/confirm/i);
  expect(informed.text).not.toMatch(/please confirm/i);
  expect(informed.subject).toBe('Booths offered to Penang Batik Co., Ltd.');
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
  expect(ORGANIZER.email).toBeTruthy();
});

test('member names instead of codes: liaison quota, desk quota table, CSV; sorted ignoring a leading "the"', async () => {
  const liaison = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'TH', language: 'zh-CN' }));
  const queue = await liaison.get('/liaison/requests');
  expect(queue.text).toContain('泰国的配额');
  expect(queue.text).not.toContain('TH 的配额');
  await QuotaCounter.updateOne({ edition: edition._id, member: 'NL' }, { $set: { quota: 3, used: 0 } }, { upsert: true });
  await QuotaCounter.updateOne({ edition: edition._id, member: 'PT' }, { $set: { quota: 3, used: 0 } }, { upsert: true });
  await QuotaCounter.updateOne({ edition: edition._id, member: 'MT' }, { $set: { quota: 3, used: 0 } }, { upsert: true });
  const org = await organizerAgent(t.app);
  const desk = (await org.get(`/admin/fair/editions/${edition._id}?lang=en`)).text;
  const table = desk.slice(desk.indexOf('id="quota-use"'));
  const order = ['Malta', 'the Netherlands', 'Portugal'].map((n) => table.indexOf(n));
  expect(order.every((i) => i > 0)).toBe(true);
  expect(order).toEqual([...order].sort((a, b) => a - b));
  expect(table).toContain('title="NL"');
});

test('the fair page shows the reader member’s own quota; phone numbers in the CSV carry no apostrophe', async () => {
  await FairEdition.updateOne({ _id: edition._id }, { $set: { quotaOverrides: [{ member: 'KR', quota: 7 }] } });
  const { agent } = await memberWithAgent(t.app, { member: 'KR' });
  expect((await agent.get('/fair')).text).toContain('up to 7 booths');
  expect((await agent.get(`/fair/editions/${edition._id}`)).text).toContain('up to 7 booths');
  expect((await request(t.app).get('/fair')).text).toContain('up to 3 booths');

  const org = await organizerAgent(t.app);
  const { id } = await endorsedRequest('KR', { phone: '+82 2 1234 5678', products: '=HYPERLINK("x")' });
  await postForm(org, `/fair/requests/${id}/approve`, { booths: [await boothId(edition._id, 'C07')] }, `/admin/fair/requests/${id}`);
  const csv = await org.get(`/admin/fair/editions/${edition._id}/exhibitors.csv`).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  const text = (csv.body as Buffer).toString('utf8');
  expect(text).toContain(',+82 2 1234 5678,');
  expect(text).not.toContain("'+82");
  expect(text).toContain(`"'=HYPERLINK(""x"")"`);
  expect(text).toContain('Korea');
});
