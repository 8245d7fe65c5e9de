/**
 * Partners over HTTP: partner profile with a logo (re-encoded), search by a Chinese word and by
 * facets, contact requests (self, official, duplicate, silent block refused; accept opens a
 * conversation and shows contact details; only accepted SMEs may write to each other), the
 * accept/decline race, opportunity expiry rules, and the digest and expiry e-mails through SMTP.
 */
import sharp from 'sharp';
import { Types } from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { User } from '../../../src/modules/accounts/model';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { csrfToken, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { ContactRequest, DigestSetting, Opportunity } from '../../../src/modules/partners/model';
import { linkIn } from '../../helpers/smtp';
import { Conversation } from '../../../src/modules/messages/model';
import { createPartnersService } from '../../../src/modules/partners/services';
import { setDigest } from '../../../src/modules/partners/suggestions';

jest.setTimeout(60_000);

let t: TestApp;
let de: MadeUser, th: MadeUser, fr: MadeUser, liaison: MadeUser;
let deA: Agent, thA: Agent, frA: Agent;

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function as(u: MadeUser): Promise<Agent> {
  const a = newAgent(t.app);
  await login(a, u.email, u.password);
  return a;
}

beforeAll(async () => {
  t = await createTestApp();
  [de, th, fr, liaison] = await Promise.all([
    makeUser({ member: 'DE', company: { name: 'Rhein Maschinen GmbH', products: 'packaging machines' } }),
    makeUser({ member: 'TH', company: { name: 'Siam Trading Co' } }),
    makeUser({ member: 'FR', company: { name: 'Lyon Textiles' } }),
    makeUser({ role: 'liaison', member: 'DE' }),
  ]);
  [deA, thA, frA] = await Promise.all([as(de), as(th), as(fr)]);
});
afterAll(async () => {
  await t.close();
});

test('the German SME completes its profile with sectors and a logo; the logo is re-encoded to a small PNG', async () => {
  const big = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const token = await csrfToken(deA, '/account/partner-profile');
  const res = await deA
    .post(`/account/partner-profile?_csrf=${token}`)
    .field('_csrf', token)
    .field('products', '包装机械 packaging machines')
    .field('offers', 'Packaging lines for food producers')
    .field('seeks', 'A distributor in South-East Asia')
    .field('cooperationTypes', 'trade')
    .field('isic', '28')
    .field('targetMarkets', 'TH')
    .field('workingLanguages', 'de')
    .field('city', 'Köln')
    .field('foundedYear', '1998')
    .field('phone', '+49 221 555 0100')
    .attach('logo', big, 'logo.jpg');
  expect(res.status).toBe(303);
  const logo = await newAgent(t.app).get(`/companies/${de.companyId}/logo`);
  expect(logo.status).toBe(200);
  expect(logo.headers['content-type']).toBe('image/png');
  const meta = await sharp(logo.body as Buffer).metadata();
  expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(256);
});

test('bad profile input is refused with the input kept', async () => {
  const res = await postForm(deA, '/account/partner-profile', { city: 'Bonn', foundedYear: '1500', isic: 'ZZ' }, '/account/partner-profile');
  expect(res.status).toBe(422);
  expect(res.text).toContain('value="Bonn"');
});

test('search finds the German SME by a Chinese word and by facets; counts are shown', async () => {
  const anon = newAgent(t.app);
  const byWord = await anon.get('/companies').query({ q: '包装' });
  expect(byWord.text).toContain('Rhein Maschinen GmbH');
  expect(byWord.text).not.toContain('Lyon Textiles');
  const byFacet = await anon.get('/companies?isic=28&cooperation=trade');
  expect(byFacet.text).toContain('Rhein Maschinen GmbH');
  expect(byFacet.text).not.toContain('Siam Trading Co');
  const byRegion = await anon.get('/companies?region=Asia');
  expect(byRegion.text).toContain('Siam Trading Co');
  expect(byRegion.text).not.toContain('Rhein Maschinen GmbH');
});

test('contact details are hidden before acceptance', async () => {
  const page = await thA.get(`/companies/${de.companyId}`);
  expect(page.text).not.toContain('+49 221 555 0100');
  expect(page.text).not.toContain(de.email);
  const lia = await (await as(liaison)).get(`/companies/${de.companyId}`);
  expect(lia.text).toContain('+49 221 555 0100');
});

test('requests to yourself, to an official and duplicates are refused, nothing stored', async () => {
  const self = await postForm(deA, `/companies/${de.companyId}/contact`, { message: 'hello me' }, '/contacts');
  expect(self.status).toBe(422);
  const official = await postForm(thA, `/companies/${liaison.id}/contact`, { message: 'hello' }, '/contacts');
  expect(official.status).toBe(404);
  expect(await ContactRequest.countDocuments({})).toBe(0);
  const long = await postForm(thA, `/companies/${de.companyId}/contact`, { message: 'x'.repeat(1001) }, '/contacts');
  expect(long.status).toBe(422);
  expect(await ContactRequest.countDocuments({})).toBe(0);
});

test('two requests for the same pair at the same moment store one', async () => {
  const results = await Promise.all([
    postForm(frA, `/companies/${th.companyId}/contact`, { message: 'Bonjour' }, '/contacts'),
    postForm(frA, `/companies/${th.companyId}/contact`, { message: 'Bonjour encore' }, '/contacts'),
  ]);
  expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
  expect(await ContactRequest.countDocuments({ fromCompany: new Types.ObjectId(fr.companyId!) })).toBe(1);
  // The other side asking the same pair is a duplicate too.
  const reverse = await postForm(thA, `/companies/${fr.companyId}/contact`, { message: 'Sawasdee' }, '/contacts');
  expect(reverse.status).toBe(422);
});

test('accept opens a conversation; both see contact details and may write; France may not', async () => {
  await t.ctx.mailer.drained();
  t.smtp.clear();
  const sent = await postForm(thA, `/companies/${de.companyId}/contact`, { message: 'We distribute machines in Thailand.' }, '/contacts');
  expect(sent.status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(de.email) && /Siam Trading Co/.test(m.subject));
  const badge = await deA.get('/opportunities');
  expect(badge.text).toMatch(/class="badge"[^>]*>1</);
  const request = await ContactRequest.findOne({ toCompany: new Types.ObjectId(de.companyId!) }).lean();
  const accepted = await postForm(deA, `/contacts/${String(request!._id)}/accept`, {}, '/contacts');
  expect(accepted.status).toBe(303);
  const conversationId = accepted.headers.location!.split('/').pop()!;
  const conversation = await Conversation.findById(conversationId).lean();
  expect(conversation!.participants.map(String).sort()).toEqual([de.id, th.id].sort());
  const page = await thA.get(`/companies/${de.companyId}`);
  expect(page.text).toContain('+49 221 555 0100');
  const reply = await postForm(deA, '/messages/new', { recipients: th.id, subject: 'Next steps', body: 'Let us talk.' }, '/messages');
  expect(reply.status).toBe(303);
  const french = await postForm(frA, '/messages/new', { recipients: de.id, subject: 'Hello', body: 'Bonjour' }, '/messages');
  expect(french.status).toBe(422);
  const again = await postForm(deA, `/contacts/${String(request!._id)}/decline`, { reason: '' }, '/contacts');
  expect(again.status).toBe(409);
});

test('accept and decline racing have one outcome', async () => {
  const request = await ContactRequest.findOne({ fromCompany: new Types.ObjectId(fr.companyId!), status: 'open' }).lean();
  const thB = await as(th);
  const [a, d] = await Promise.all([
    postForm(thA, `/contacts/${String(request!._id)}/accept`, {}, '/contacts'),
    postForm(thB, `/contacts/${String(request!._id)}/decline`, { reason: 'Not now' }, '/contacts'),
  ]);
  expect([a.status, d.status].sort()).toEqual([303, 409]);
  const after = await ContactRequest.findById(request!._id).lean();
  expect(['accepted', 'declined']).toContain(after!.status);
  expect(await Conversation.countDocuments({ participants: new Types.ObjectId(fr.id) })).toBe(after!.status === 'accepted' ? 1 : 0);
});

test('a blocked company gets no error and nothing is stored', async () => {
  const other = await makeUser({ member: 'IT', company: { name: 'Milano Srl' } });
  const otherA = await as(other);
  await postForm(otherA, `/companies/${de.companyId}/contact`, { message: 'Ciao' }, '/contacts');
  const request = await ContactRequest.findOne({ fromCompany: new Types.ObjectId(other.companyId!) }).lean();
  expect((await postForm(deA, `/contacts/${String(request!._id)}/block`, {}, '/contacts')).status).toBe(303);
  const before = await ContactRequest.countDocuments({});
  const res = await postForm(otherA, `/companies/${de.companyId}/contact`, { message: 'Ciao again' }, '/contacts');
  expect(res.status).toBe(303);
  expect(await ContactRequest.countDocuments({})).toBe(before);
});

test('opportunity expiry dates in the past or beyond 12 months are refused; a valid one is listed and fed', async () => {
  const base = { kind: 'request', title: 'Distributor wanted in Thailand', description: '寻找 **distributor** for packaging machines', cooperationType: 'trade', isic: '28', targetMarkets: 'TH', language: 'en' };
  const token = await csrfToken(deA, '/opportunities/new');
  const post = (expiresOn: string) => deA.post(`/opportunities/new?_csrf=${token}`).field('_csrf', token).field({ ...base, expiresOn });
  expect((await post(inDays(-1))).status).toBe(422);
  expect((await post(inDays(400))).status).toBe(422);
  expect(await Opportunity.countDocuments({})).toBe(0);
  const ok = await post(inDays(30));
  expect(ok.status).toBe(303);
  const list = await newAgent(t.app).get('/opportunities').query({ q: '寻找' });
  expect(list.text).toContain('Distributor wanted in Thailand');
  const feed = await newAgent(t.app).get('/opportunities/feed.xml');
  expect(feed.headers['content-type']).toContain('application/atom+xml');
  expect(feed.text).toContain('Distributor wanted in Thailand');
});

test('the 7-day expiry e-mail and the weekly digest arrive through SMTP, each once', async () => {
  const service = createPartnersService({ mailer: t.ctx.mailer, clock: () => new Date(), baseUrl: t.config.baseUrl, files: t.ctx.files, secret: t.config.sessionSecret });
  const o = await Opportunity.findOne({ title: 'Distributor wanted in Thailand' });
  await Opportunity.updateOne({ _id: o!._id }, { $set: { expiresAt: new Date(Date.now() + 5 * 86_400_000) } });
  // Thailand seeks trade in sector 28: its profile makes the opportunity a match.
  const saved = await postForm(thA, '/account/partner-profile', { cooperationTypes: 'trade', isic: '28', targetMarkets: 'DE' }, '/account/partner-profile');
  expect(saved.status).toBe(303);
  await setDigest({ id: th.id, role: 'member' } as never, true, new Date(Date.now() - 8 * 86_400_000));
  await t.ctx.mailer.drained();
  t.smtp.clear();
  const [first, second] = await Promise.all([service.runScheduledWork(), service.runScheduledWork()]);
  expect(first.expiryNotices + second.expiryNotices).toBe(1);
  expect(first.digests + second.digests).toBe(1);
  await t.smtp.waitFor((m) => m.to.includes(de.email) && /expires soon/.test(m.subject));
  const digest = await t.smtp.waitFor((m) => m.to.includes(th.email) && /new opportunit/.test(m.subject));
  // mailparser gathers the List-* headers under "list".
  expect(JSON.stringify(digest.headers.get('list'))).toContain('List-Unsubscribe=One-Click');
  const link = new URL(linkIn(digest, '/opportunities/digest/unsubscribe'));
  // RFC 8058: one POST, no session, no CSRF token.
  const unsubscribe = await newAgent(t.app).post(`${link.pathname}${link.search}`).type('form').send('List-Unsubscribe=One-Click');
  expect(unsubscribe.status).toBe(200);
  expect(await DigestSetting.countDocuments({ user: new Types.ObjectId(th.id), enabled: true })).toBe(0);
  // A forged token does nothing.
  expect((await newAgent(t.app).post('/opportunities/digest/unsubscribe?token=abc.def').type('form').send('')).status).toBe(404);
});

test('the organizer hides and restores with a reason (author told); hidden ones leave lists and feed; figures and the liaison view count', async () => {
  const organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
  const o = await Opportunity.findOne({ title: 'Distributor wanted in Thailand' }).lean();
  const id = String(o!._id);
  const report = await postForm(thA, `/opportunities/${id}/report`, { reason: 'Looks like spam' }, '/opportunities');
  expect(report.status).toBe(303);
  const queue = await organizer.get('/admin/partners');
  expect(queue.text).toContain('Looks like spam');
  await t.ctx.mailer.drained();
  t.smtp.clear();
  expect((await postForm(organizer, `/admin/opportunities/${id}/hide`, { reason: 'Duplicate posting' }, '/admin/partners')).status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(de.email) && /hidden/.test(m.subject) && m.text.includes('Duplicate posting'));
  expect((await newAgent(t.app).get('/opportunities')).text).not.toContain('Distributor wanted in Thailand');
  expect((await newAgent(t.app).get('/opportunities/feed.xml')).text).not.toContain('Distributor wanted in Thailand');
  expect((await newAgent(t.app).get(`/opportunities/${id}`)).status).toBe(404);
  expect((await deA.get(`/opportunities/${id}`)).status).toBe(200);
  expect((await postForm(organizer, `/admin/opportunities/${id}/restore`, { reason: 'Checked' }, '/admin/partners')).status).toBe(303);
  await t.smtp.waitFor((m) => m.to.includes(de.email) && /visible again/.test(m.subject));
  expect((await newAgent(t.app).get('/opportunities')).text).toContain('Distributor wanted in Thailand');
  const figures = await organizer.get('/admin/partners');
  expect(figures.status).toBe(200);
  expect(figures.text).toMatch(/Asia–Europe|Europe–Asia/);
  const liaisonView = await (await as(liaison)).get('/opportunities/mine');
  expect(liaisonView.text).toContain('Distributor wanted in Thailand');
  expect(liaisonView.text).toContain('Contact requests of our SMEs');
  // Members may not use the organizer's routes.
  expect((await postForm(thA, `/admin/opportunities/${id}/hide`, { reason: 'x' }, '/opportunities')).status).toBe(403);
});

test('a suspended SME and its opportunities show nowhere', async () => {
  await User.updateOne({ _id: de.id }, { $set: { status: 'suspended' } });
  try {
    const anon = newAgent(t.app);
    expect((await anon.get('/companies')).text).not.toContain('Rhein Maschinen GmbH');
    expect((await anon.get('/opportunities')).text).not.toContain('Distributor wanted in Thailand');
    expect((await anon.get('/opportunities/feed.xml')).text).not.toContain('Distributor wanted in Thailand');
    expect((await anon.get(`/companies/${de.companyId}`)).status).toBe(404);
  } finally {
    await User.updateOne({ _id: de.id }, { $set: { status: 'active' } });
  }
});

test('a suspended liaison: the opportunities it posted for a cluster show nowhere', async () => {
  const lA = await as(liaison);
  const token = await csrfToken(lA, '/opportunities/new');
  const fields = { kind: 'offer', title: 'Cluster offer from the Ruhr', description: 'Suppliers for **packaging** lines', cooperationType: 'trade', isic: '28', targetMarkets: 'TH', language: 'en', onBehalfOf: 'Ruhr Packaging Cluster', expiresOn: inDays(30) };
  const posted = await lA.post(`/opportunities/new?_csrf=${token}`).field('_csrf', token).field(fields);
  expect(posted.status).toBe(303);
  const o = await Opportunity.findOne({ title: 'Cluster offer from the Ruhr' }).lean();
  expect(o).not.toBeNull();
  const anon = newAgent(t.app);
  expect((await anon.get('/opportunities')).text).toContain('Cluster offer from the Ruhr');
  await User.updateOne({ _id: liaison.id }, { $set: { status: 'suspended' } });
  try {
    expect((await anon.get('/opportunities')).text).not.toContain('Cluster offer from the Ruhr');
    expect((await anon.get('/opportunities/feed.xml')).text).not.toContain('Cluster offer from the Ruhr');
    expect((await anon.get(`/opportunities/${String(o!._id)}`)).status).toBe(404);
  } finally {
    await User.updateOne({ _id: liaison.id }, { $set: { status: 'active' } });
  }
});

