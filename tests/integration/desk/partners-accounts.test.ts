/**
 * The desk items of partners and accounts: a member sees contact requests waiting for its answer
 * (oldest first, with their age) and its opportunities expiring within 7 days; the organizer sees
 * officials' invitations not yet accepted. Each item leaves the desk (and the badge) once done.
 */
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { csrfToken, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { ContactRequest, Opportunity } from '../../../src/modules/partners/model';
import { Invitation } from '../../../src/modules/accounts/model';
import { linkIn } from '../../helpers/smtp';

jest.setTimeout(60_000);

function badge(html: string): number {
  const m = /href="\/desk"[^>]*>[^<]*<span class="badge desk-badge"[^>]*>(\d+)</.exec(html);
  return m ? Number(m[1]) : 0;
}

/** The desk's rows of one kind. */
function rows(html: string, kind: string): number {
  return html.split(`data-kind="${kind}"`).length - 1;
}

/** The badge counts what the desk lists (other modules may add their own rows, e.g. a new conversation). */
function allRows(html: string): number {
  return html.split('data-kind="').length - 1;
}

const DAY = 86_400_000;

describe('partners and accounts on the desk', () => {
  let t: TestApp;
  let de: MadeUser, th: MadeUser, fr: MadeUser;
  let deA: Agent, thA: Agent, frA: Agent, organizer: Agent;
  let now = new Date();

  async function as(u: MadeUser): Promise<Agent> {
    const a = newAgent(t.app);
    await login(a, u.email, u.password);
    return a;
  }

  beforeAll(async () => {
    t = await createTestApp();
    t.setNow(now);
    [de, th, fr] = await Promise.all([
      makeUser({ member: 'DE', company: { name: 'Rhein Maschinen GmbH' } }),
      makeUser({ member: 'TH', company: { name: 'Siam Trading Co' } }),
      makeUser({ member: 'FR', company: { name: 'Lyon Textiles' } }),
    ]);
    [deA, thA, frA] = await Promise.all([as(de), as(th), as(fr)]);
    organizer = newAgent(t.app);
    await login(organizer, ORGANIZER.email, ORGANIZER.password);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists contact requests waiting for the answer, oldest first with their age, until answered', async () => {
    expect((await deA.get('/desk')).text).toContain('Nothing waits for you');
    expect((await postForm(thA, `/companies/${de.companyId}/contact`, { message: 'We distribute machines.' }, '/contacts')).status).toBe(303);
    now = new Date(now.getTime() + 2 * DAY);
    t.setNow(now);
    expect((await postForm(frA, `/companies/${de.companyId}/contact`, { message: 'Bonjour' }, '/contacts')).status).toBe(303);
    now = new Date(now.getTime() + 1 * DAY);
    t.setNow(now);

    const desk = await deA.get('/desk');
    const siam = desk.text.indexOf('Siam Trading Co asks to get in touch');
    const lyon = desk.text.indexOf('Lyon Textiles asks to get in touch');
    expect(siam).toBeGreaterThan(0);
    expect(lyon).toBeGreaterThan(siam);
    expect(desk.text).toContain('3 days');
    expect(desk.text).toContain('href="/contacts"');
    expect(rows(desk.text, 'partners.contactRequest')).toBe(2);
    expect(badge(desk.text)).toBe(allRows(desk.text));
    // The sender waits for nobody: nothing on its desk.
    expect((await thA.get('/desk')).text).not.toContain('asks to get in touch');

    const fromTh = await ContactRequest.findOne({ fromCompany: th.companyId });
    const fromFr = await ContactRequest.findOne({ fromCompany: fr.companyId });
    expect((await postForm(deA, `/contacts/${String(fromTh!._id)}/accept`, {}, '/contacts')).status).toBe(303);
    expect((await postForm(deA, `/contacts/${String(fromFr!._id)}/decline`, { reason: 'Not now' }, '/contacts')).status).toBe(303);
    const after = await deA.get('/desk');
    expect(after.text).not.toContain('asks to get in touch');
    expect(rows(after.text, 'partners.contactRequest')).toBe(0);
    expect(badge(after.text)).toBe(allRows(after.text));
  });

  it('lists own opportunities expiring within 7 days, with the renew action, until renewed', async () => {
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const token = await csrfToken(deA, '/opportunities/new');
    const base = { kind: 'offer', title: 'Packaging lines for food producers', description: 'Lines', cooperationType: 'trade', isic: '28', targetMarkets: 'TH', language: 'en' };
    expect((await deA.post(`/opportunities/new?_csrf=${token}`).field('_csrf', token).field({ ...base, expiresOn: day(new Date(now.getTime() + 20 * DAY)) })).status).toBe(303);
    const o = await Opportunity.findOne({ title: base.title });
    expect((await deA.get('/desk')).text).not.toContain('expires soon');

    now = new Date(now.getTime() + 15 * DAY);
    t.setNow(now);
    const desk = await deA.get('/desk');
    expect(desk.text).toContain('Your opportunity “Packaging lines for food producers” expires soon');
    expect(desk.text).toContain(`href="/opportunities/${String(o!._id)}"`);
    expect(desk.text).toContain('Renew');
    expect(rows(desk.text, 'partners.expiring')).toBe(1);
    expect(badge(desk.text)).toBe(allRows(desk.text));
    // Someone else's opportunity is not on this desk.
    expect((await thA.get('/desk')).text).not.toContain('expires soon');

    expect((await postForm(deA, `/opportunities/${String(o!._id)}/renew`, { expiresOn: day(new Date(now.getTime() + 60 * DAY)) }, `/opportunities/${String(o!._id)}`)).status).toBe(303);
    const after = await deA.get('/desk');
    expect(after.text).not.toContain('expires soon');
    expect(rows(after.text, 'partners.expiring')).toBe(0);
    expect(badge(after.text)).toBe(allRows(after.text));
  });

  it('shows the organizer invitations not yet accepted, with their age, until accepted or revoked', async () => {
    const before = badge((await organizer.get('/desk')).text);
    await postForm(organizer, '/admin/officials', { email: 'official-a@example.org', member: 'MY', language: 'en' }, '/admin/officials');
    await postForm(organizer, '/admin/officials', { email: 'official-b@example.org', member: 'VN', language: 'zh-CN' }, '/admin/officials');
    now = new Date(now.getTime() + 4 * DAY);
    t.setNow(now);
    const desk = await organizer.get('/desk');
    expect(desk.text).toContain('official-a@example.org (MY) has not accepted the invitation yet');
    expect(desk.text).toContain('official-b@example.org (VN) has not accepted the invitation yet');
    expect(desk.text).toContain('4 days');
    expect(desk.text).toContain('href="/admin/officials"');
    expect(badge(desk.text)).toBe(before + 2);

    // One accepts through the e-mailed link; the other is revoked.
    await t.ctx.mailer.drained();
    const mail = await t.smtp.waitFor((m) => m.to.includes('official-a@example.org'));
    const link = new URL(linkIn(mail, '/invitation')!);
    const invitee = newAgent(t.app);
    expect((await postForm(invitee, '/invitation', { token: link.searchParams.get('token')!, name: 'Aminah Binti Ali', password: 'a long passphrase 2027' }, `${link.pathname}${link.search}`)).status).toBe(303);
    const b = await Invitation.findOne({ email: 'official-b@example.org' });
    expect((await postForm(organizer, `/admin/officials/${String(b!._id)}/revoke`, {}, '/admin/officials')).status).toBe(303);
    const after = await organizer.get('/desk');
    expect(after.text).not.toContain('has not accepted the invitation');
    expect(badge(after.text)).toBe(before);
  });
});
