/**
 * The booth story over HTTP, role by role, with the e-mails each step sends (captured over SMTP),
 * the refusals (403, 404, 409) and the exports.
 */
import request from 'supertest';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { postForm } from '../../helpers/http';
import { BoothRequest, FairEdition } from '../../../src/modules/fair';
import type { FairEditionDoc } from '../../../src/modules/fair/model';
import { agentFor, boothId, memberWithAgent, organizerAgent, seededEdition, submitRequest, REQUEST_FORM } from './helpers';

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
beforeEach(async () => {
  // Publishing (in the story test) closes the edition for requests: each test starts from an open one.
  await FairEdition.updateOne({ _id: edition._id }, { $set: { status: 'open', allocationPublishedAt: null } });
  t.setNow(null);
});

test('the seeded edition: /fair draws 60 booths, a legend and the table, in English and Chinese', async () => {
  const res = await request(t.app).get('/fair');
  expect(res.status).toBe(200);
  expect(res.text).toContain('<svg');
  expect(res.text.match(/class="fp-booth fp-free"/g)).toHaveLength(60);
  expect(res.text).toContain('id="fp-held"');
  expect(res.text).toContain('id="fp-allocated"');
  expect(res.text).toContain('Guangzhou');
  expect(res.text).not.toMatch(/style="/);
  const zh = await request(t.app).get('/fair?lang=zh-CN');
  expect(zh.text).toContain('亚欧中小企业合作与交流馆');
  expect(zh.text).toContain('展馆平面图');
  const home = await request(t.app).get('/');
  expect(home.text).toContain('href="/fair"');
  expect(home.text).toContain(edition.name.en.replace(/[()]/g, (c) => c));
});

test('the whole story over HTTP, with every e-mail in the recipient’s language', async () => {
  const { user: member, agent: memberAgent } = await memberWithAgent(t.app, { language: 'zh-CN', company: { name: '广州竹艺有限公司' } });
  const liaison = await makeUser({ role: 'liaison', member: 'CN' });
  const liaisonAgent = await agentFor(t.app, liaison);
  const org = await organizerAgent(t.app);

  // Member submits.
  const id = await submitRequest(memberAgent);
  const page = await memberAgent.get(`/fair/requests/${id}`);
  expect(page.text).toContain('广州竹艺有限公司');
  const toLiaison = await t.smtp.waitFor((m) => m.to.includes(liaison.email) && m.subject.includes('广州竹艺有限公司'));
  expect(toLiaison.subject).toMatch(/awaits your endorsement/);
  expect(toLiaison.text).toContain(`http://portal.test/fair/requests/${id}`);
  const receipt = await t.smtp.waitFor((m) => m.to.includes(member.email) && m.subject.includes('您的展位申请已提交给联络员'));
  expect(receipt.text).toContain('广州竹艺有限公司');

  // Liaison sees it in the queue with the quota, endorses with a note.
  const queue = await liaisonAgent.get('/liaison/requests');
  expect(queue.status).toBe(200);
  expect(queue.text).toContain('广州竹艺有限公司');
  expect(queue.text).toContain('0 of 3 booths used');
  const endorse = await postForm(liaisonAgent, `/fair/requests/${id}/endorse`, { note: 'A reliable exporter' }, `/fair/requests/${id}`);
  expect(endorse.status).toBe(303);
  const toOrganizer = await t.smtp.waitFor((m) => m.to.includes(ORGANIZER.email) && /Endorsed and ready/.test(m.subject));
  expect(toOrganizer.text).toContain('A reliable exporter');
  await t.smtp.waitFor((m) => m.to.includes(member.email) && m.subject.includes('联络员已推荐'));

  // Organizer allocates A01 on the allocation screen.
  const screen = await org.get(`/admin/fair/requests/${id}`);
  expect(screen.status).toBe(200);
  const a01 = await boothId(edition._id, 'A01');
  expect(screen.text).toContain(`value="${a01}"`);
  const approve = await postForm(org, `/fair/requests/${id}/approve`, { booths: [a01], note: 'Corner booth' }, `/admin/fair/requests/${id}`);
  expect([approve.status, approve.headers.location, approve.status === 303 ? "" : approve.text.slice(0, 300)]).toEqual([303, `/admin/fair/requests/${id}`, ""]);
  const offered = await t.smtp.waitFor((m) => m.to.includes(member.email) && m.subject.includes('请确认'));
  expect(offered.text).toContain('A01');
  await t.smtp.waitFor((m) => m.to.includes(liaison.email) && /Booths offered to/.test(m.subject));
  expect((await request(t.app).get('/fair')).text).toMatch(/data-code="A01" data-state="held"/);

  // Member confirms; the booth is allocated on the plan; names appear once published.
  const confirm = await postForm(memberAgent, `/fair/requests/${id}/confirm`, {}, `/fair/requests/${id}`);
  expect(confirm.status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(ORGANIZER.email) && /Booths confirmed/.test(m.subject));
  let plan = (await request(t.app).get('/fair')).text;
  expect(plan).toMatch(/data-code="A01" data-state="allocated"/);
  expect(plan).not.toContain('广州竹艺有限公司');
  const publish = await postForm(org, `/admin/fair/editions/${edition._id}/publish`, {}, `/admin/fair/editions/${edition._id}`);
  expect(publish.status).toBe(303);
  plan = (await request(t.app).get('/fair')).text;
  expect(plan).toContain('广州竹艺有限公司');

  // Timeline shows every step with who and the notes.
  const timeline = (await memberAgent.get(`/fair/requests/${id}?lang=en`)).text;
  for (const s of ['Submitted', 'Endorsed by the liaison', 'Approved with booths', 'Booths confirmed', 'A reliable exporter', 'Corner booth', liaison.name]) expect(timeline).toContain(s);

  // Exports: CSV with BOM and Chinese intact; printable catalogue.
  const csv = await org.get(`/admin/fair/editions/${edition._id}/exhibitors.csv`).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(csv.status).toBe(200);
  expect(csv.headers['content-type']).toMatch(/text\/csv; charset=utf-8/);
  const bytes = csv.body as Buffer;
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(3));
  const rows = text.trim().split('\r\n').map((l) => l.split(','));
  expect(rows[0]).toEqual(['Booths', 'Company', 'ASEM member', 'Member code', 'Contact person', 'Phone', 'E-mail', 'Products', 'Status']);
  expect(rows[1]!.slice(0, 4)).toEqual(['A01', '广州竹艺有限公司', 'China', 'CN']);
  const catalogue = await org.get(`/admin/fair/editions/${edition._id}/catalogue`);
  expect(catalogue.text).toContain('广州竹艺有限公司');
  expect(catalogue.text).toContain('A01');

  // Withdrawal frees the booth.
  const withdraw = await postForm(memberAgent, `/fair/requests/${id}/withdraw`, { note: '行程有变' }, `/fair/requests/${id}`);
  expect(withdraw.status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(ORGANIZER.email) && /withdrawn/.test(m.subject) && m.text.includes('行程有变'));
  expect((await request(t.app).get('/fair')).text).toMatch(/data-code="A01" data-state="free"/);
});

test('wrong role 403, foreign id 404, wrong state 409 — nothing changed', async () => {
  const { agent: memberAgent } = await memberWithAgent(t.app);
  const { agent: otherMember } = await memberWithAgent(t.app);
  const liaisonDE = await agentFor(t.app, await makeUser({ role: 'liaison', member: 'DE' }));
  const id = await submitRequest(memberAgent, { wishedCodes: '' });
  const self = await postForm(memberAgent, `/fair/requests/${id}/endorse`, {}, `/fair/requests/${id}`);
  expect(self.status).toBe(403);
  expect(self.text).toContain('Your role may not take this step');
  expect((await otherMember.get(`/fair/requests/${id}`)).status).toBe(404);
  expect((await postForm(otherMember, `/fair/requests/${id}/withdraw`, {}, '/fair')).status).toBe(404);
  expect((await liaisonDE.get(`/fair/requests/${id}`)).status).toBe(404);
  expect((await memberAgent.get('/fair/requests/zzz')).status).toBe(404);
  const confirm = await postForm(memberAgent, `/fair/requests/${id}/confirm`, {}, `/fair/requests/${id}`);
  expect(confirm.status).toBe(409);
  expect(confirm.text).toContain('Submitted');
  expect((await memberAgent.get('/admin/fair')).status).toBe(403);
  expect((await BoothRequest.findById(id).lean())!.status).toBe('submitted');
  await postForm(memberAgent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

test('bad request input: over quota, bad phone, outside the window, second request — form errors, nothing stored', async () => {
  const { user, agent } = await memberWithAgent(t.app);
  const before = await BoothRequest.countDocuments({});
  const over = await postForm(agent, '/fair/requests/new', { ...REQUEST_FORM, boothCount: 9, phone: 'call me', wishedCodes: 'Q77' }, '/fair/requests/new');
  expect(over.status).toBe(422);
  expect(over.text).toContain('quota is 3 booths');
  expect(over.text).toContain('Enter a phone number');
  expect(over.text).toContain('do not exist in the hall: Q77');
  expect(over.text).toContain('value="call me"');
  expect(await BoothRequest.countDocuments({})).toBe(before);

  t.setNow(new Date(edition.requestClosesAt.getTime() + 3600_000));
  const late = await postForm(agent, '/fair/requests/new', REQUEST_FORM, '/fair/requests');
  expect(late.status).toBe(409);
  expect(late.text).toContain('only accepted while the request window is open');
  t.setNow(null);
  expect(await BoothRequest.countDocuments({})).toBe(before);

  const id = await submitRequest(agent);
  const second = await postForm(agent, '/fair/requests/new', REQUEST_FORM, '/fair/requests');
  expect(second.status).toBe(409);
  expect(second.text).toContain('already has a request');
  expect(await BoothRequest.countDocuments({ requester: user.id })).toBe(1);
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

test('drafts: saved, edited, then submitted', async () => {
  const { agent } = await memberWithAgent(t.app);
  const id = await submitRequest(agent, { intent: 'draft' });
  expect((await BoothRequest.findById(id).lean())!.status).toBe('draft');
  const edit = await agent.get(`/fair/requests/${id}/edit`);
  expect(edit.status).toBe(200);
  const res = await postForm(agent, `/fair/requests/${id}/edit`, { ...REQUEST_FORM, products: 'Green tea', intent: 'submit' }, `/fair/requests/${id}/edit`);
  expect(res.status).toBe(303);
  const stored = (await BoothRequest.findById(id).lean())!;
  expect(stored).toMatchObject({ status: 'submitted', products: 'Green tea' });
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

test('liaison queue filters by status and age', async () => {
  const liaison = await makeUser({ role: 'liaison', member: 'VN' });
  const la = await agentFor(t.app, liaison);
  const { agent } = await memberWithAgent(t.app, { member: 'VN', company: { name: 'Hanoi Lacquer' } });
  const id = await submitRequest(agent, { wishedCodes: '' });
  expect((await la.get('/liaison/requests?status=submitted')).text).toContain('Hanoi Lacquer');
  expect((await la.get('/liaison/requests?status=endorsed')).text).not.toContain('Hanoi Lacquer');
  expect((await la.get('/liaison/requests?age=7')).text).not.toContain('Hanoi Lacquer');
  t.setNow(new Date(Date.now() + 8 * 86_400_000));
  expect((await la.get('/liaison/requests?age=7')).text).toContain('Hanoi Lacquer');
  t.setNow(null);
  expect((await la.get('/liaison/requests?status=bogus&age=x')).status).toBe(200);
  // Endorsing straight from the queue comes back to the queue.
  const quick = await postForm(la, `/fair/requests/${id}/endorse`, { note: 'ok', back: 'queue' }, '/liaison/requests');
  expect(quick.status).toBe(303);
  expect(quick.headers.location).toBe('/liaison/requests');
  expect((await BoothRequest.findById(id).lean())!.status).toBe('endorsed');
  await postForm(agent, `/fair/requests/${id}/withdraw`, {}, `/fair/requests/${id}`);
});

describe('organizer: editions and the hall layout', () => {
  const EDITION = {
    nameEn: 'CISMEF 2031',
    nameZh: '2031年中博会',
    year: 2031,
    startsOn: '2031-09-15',
    endsOn: '2031-09-18',
    cityEn: 'Guangzhou',
    cityZh: '广州',
    venueEn: 'Pazhou',
    venueZh: '琶洲',
    hallEn: 'ASEM Hall',
    hallZh: '亚欧馆',
    requestOpensAt: '2031-03-01T00:00',
    requestClosesAt: '2031-07-31T23:59',
    status: 'draft',
    defaultQuota: 2,
    quotaOverrides: 'CN=6\nDE=4',
  };

  test('dates out of order, a window closing before it opens, bad overrides: refused beside the fields, nothing stored', async () => {
    const org = await organizerAgent(t.app);
    const before = await FairEdition.countDocuments({});
    const res = await postForm(org, '/admin/fair/editions/new', { ...EDITION, endsOn: '2031-09-10', requestClosesAt: '2031-02-01T00:00', quotaOverrides: 'XX=3' }, '/admin/fair/editions/new');
    expect(res.status).toBe(422);
    expect(res.text).toContain('The last day must not be before the first day.');
    expect(res.text).toContain('The request window must close after it opens.');
    expect(res.text).toContain('An ASEM member code in the list does not exist.');
    expect(res.text).toContain('value="CISMEF 2031"');
    expect(await FairEdition.countDocuments({})).toBe(before);
  });

  test('create an edition, lay out rows, move, refuse overlaps and duplicate codes, import CSV, delete', async () => {
    const org = await organizerAgent(t.app);
    const created = await postForm(org, '/admin/fair/editions/new', EDITION, '/admin/fair/editions/new');
    expect(created.status).toBe(303);
    const e = (await FairEdition.findOne({ year: 2031 }).lean<FairEditionDoc>())!;
    expect(e.quotaOverrides).toEqual([{ member: 'CN', quota: 6 }, { member: 'DE', quota: 4 }]);
    const base = `/admin/fair/editions/${e._id}/booths`;
    const row = await postForm(org, `${base}/row`, { prefix: 'A', firstNumber: 1, count: 5, x: 0, y: 0, width: 3, depth: 3, direction: 'horizontal', cornerEnds: 'on', features: 'power' }, base);
    expect(row.status).toBe(303);
    const layout = await org.get(base);
    expect(layout.text.match(/class="fp-booth fp-free"/g)).toHaveLength(5);
    const overlap = await postForm(org, `${base}/row`, { prefix: 'B', firstNumber: 1, count: 2, x: 2, y: 1, width: 3, depth: 3, direction: 'horizontal' }, base);
    expect(overlap.status).toBe(422);
    expect(overlap.text).toContain('Booth B01 would overlap booth A01.');
    const dup = await postForm(org, `${base}/row`, { prefix: 'A', firstNumber: 5, count: 2, x: 0, y: 10, width: 3, depth: 3, direction: 'horizontal' }, base);
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('The booth code A05 is already used in this hall.');
    const a02 = await boothId(e._id, 'A02');
    const move = await postForm(org, `${base}/${a02}`, { code: 'A02', x: 0, y: 8, width: 4, depth: 3, features: ['water'] }, base);
    expect(move.status).toBe(303);
    const moveOnto = await postForm(org, `${base}/${a02}`, { code: 'A02', x: 6, y: 0, width: 3, depth: 3 }, base);
    expect(moveOnto.status).toBe(422);
    expect(moveOnto.text).toContain('would overlap booth A03');
    const badCsv = await postForm(org, `${base}/import`, { csv: 'code,x,y,width,depth,features\nC01,20,0,3,3,power\nC01,30,0,3,3,' }, base);
    expect(badCsv.status).toBe(422);
    expect(badCsv.text).toContain('The booth code C01 is already used');
    const csv = await postForm(org, `${base}/import`, { csv: 'code,x,y,width,depth,features\nC01,20,0,3,3,power|water\nC02,23,0,6,3,corner' }, base);
    expect(csv.status).toBe(303);
    const del = await postForm(org, `${base}/${a02}/delete`, {}, base);
    expect(del.status).toBe(303);
    const final = (await org.get(base)).text;
    expect(final.match(/class="fp-booth fp-free"/g)).toHaveLength(6);
    expect(final).toContain('C02');
  });
});
