/**
 * Moderation and interest: the organizer hides and restores with a reason (the author is mailed,
 * the audit log keeps it); hidden practices vanish from the list, search, feed and page; readers
 * say they are interested, once each, and the author is mailed with a link to write back.
 */
import { ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { linkIn } from '../../helpers/smtp';
import { AuditEntry } from '../../../src/modules/audit/model';
import { Practice, PracticeInterest } from '../../../src/modules/practices/model';
import { GOOD_PRACTICE, idFromLocation, postPractice } from './helpers';

let t: TestApp;
let organizer: Agent;
beforeAll(async () => {
  t = await createTestApp();
  organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
});
afterAll(async () => {
  await t.close();
});

async function published(title: string, language: 'en' | 'zh-CN' = 'en') {
  const author = await makeUser({ role: 'member', member: 'TH', language });
  const agent = newAgent(t.app);
  await login(agent, author.email, author.password);
  const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, title, summary: `${title} summary` });
  return { author, agent, id: idFromLocation(res.headers.location) };
}

describe('hiding and restoring', () => {
  it('the organizer hides with a reason: gone from list, search, feed and page; the author is told in their language', async () => {
    const { author, agent, id } = await published('Zebra crossing subsidies', 'zh-CN');
    const anon = newAgent(t.app);
    expect((await anon.get('/practices?q=zebra')).text).toContain('Zebra crossing subsidies');

    const empty = await postForm(organizer, `/admin/practices/${id}/hide`, { reason: '' }, `/admin/practices/${id}/hide`);
    expect(empty.status).toBe(422);
    expect((await Practice.findById(id).lean())!.hiddenAt).toBeNull();

    const res = await postForm(organizer, `/admin/practices/${id}/hide`, { reason: 'Contains advertising' }, `/admin/practices/${id}/hide`);
    expect(res.status).toBe(303);
    expect((await Practice.findById(id).lean())!.hiddenReason).toBe('Contains advertising');
    expect((await anon.get('/practices')).text).not.toContain('Zebra crossing subsidies');
    expect((await anon.get('/practices?q=zebra')).text).not.toContain('Zebra crossing subsidies');
    expect((await anon.get('/practices/feed.xml')).text).not.toContain('Zebra crossing subsidies');
    expect((await anon.get(`/practices/${id}`)).status).toBe(404);
    // The author still sees it, with the reason; so does the organizer.
    const own = await agent.get(`/practices/${id}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('Contains advertising');
    expect((await organizer.get('/admin/practices?show=hidden')).text).toContain('Zebra crossing subsidies');

    const mail = await t.smtp.waitFor((m) => m.to.includes(author.email) && m.subject.includes('已被隐藏'));
    expect(mail.text).toContain('Contains advertising');
    expect(linkIn(mail, `/practices/${id}`)).toBe(`http://portal.test/practices/${id}`);
    expect(await AuditEntry.countDocuments({ action: 'practice.hide', targetId: id })).toBe(1);

    const again = await postForm(organizer, `/admin/practices/${id}/hide`, { reason: 'twice' }, `/admin/practices/${id}/hide`);
    expect(again.status).toBe(409);
  });

  it('the organizer restores with a reason and the practice is back everywhere', async () => {
    const { author, id } = await published('Yak wool cooperative');
    await postForm(organizer, `/admin/practices/${id}/hide`, { reason: 'Checking facts' }, `/admin/practices/${id}/hide`);
    const res = await postForm(organizer, `/admin/practices/${id}/restore`, { reason: 'Facts confirmed' }, `/admin/practices/${id}/restore`);
    expect(res.status).toBe(303);
    const anon = newAgent(t.app);
    expect((await anon.get(`/practices/${id}`)).status).toBe(200);
    expect((await anon.get('/practices?q=yak')).text).toContain('Yak wool cooperative');
    expect((await anon.get('/practices/feed.xml')).text).toContain('Yak wool cooperative');
    const mail = await t.smtp.waitFor((m) => m.to.includes(author.email) && m.subject.includes('visible again'));
    expect(mail.text).toContain('Facts confirmed');
  });

  it('only the organizer moderates', async () => {
    const { agent, id } = await published('Walrus tourism');
    expect((await agent.get('/admin/practices')).status).toBe(403);
    const res = await postForm(agent, `/admin/practices/${id}/hide`, { reason: 'mine' }, '/practices/new');
    expect(res.status).toBe(403);
    expect((await Practice.findById(id).lean())!.hiddenAt).toBeNull();
    expect((await postForm(organizer, '/admin/practices/000000000000000000000000/hide', { reason: 'x' }, '/practices/new')).status).toBe(404);
  });
});

describe('interest in adopting a practice', () => {
  it('a reader says they are interested once; the author is mailed, with a link to write back where the messaging rules allow; the count shows', async () => {
    const { author, agent: authorAgent, id } = await published('Vertical farming for SMEs', 'zh-CN');
    const reader = await makeUser({ role: 'member', member: 'VN', name: 'Nguyen Reader', company: { name: 'Saigon Greens' } });
    const readerAgent = newAgent(t.app);
    await login(readerAgent, reader.email, reader.password);

    const res = await postForm(readerAgent, `/practices/${id}/interest`, {}, `/practices/${id}`);
    expect(res.status).toBe(303);
    const mail = await t.smtp.waitFor((m) => m.to.includes(author.email) && m.subject.includes('Vertical farming'));
    expect(mail.subject).toContain('有意借鉴');
    expect(mail.text).toContain('Nguyen Reader');
    expect(mail.text).toContain('Saigon Greens');
    // Two SMEs may not message each other: no "write to them" link, a pointer to the board instead.
    expect(mail.text).not.toContain('/messages/new');
    expect(mail.text).toContain('中小企业之间不能在平台上直接发消息');

    // The author's own liaison is someone the author may write to: the link is there.
    const liaison = await makeUser({ role: 'liaison', member: 'TH', name: 'Somchai Liaison' });
    const liaisonAgent = newAgent(t.app);
    await login(liaisonAgent, liaison.email, liaison.password);
    expect((await postForm(liaisonAgent, `/practices/${id}/interest`, {}, `/practices/${id}`)).status).toBe(303);
    const liaisonMail = await t.smtp.waitFor((m) => m.to.includes(author.email) && m.text.includes('Somchai Liaison'));
    expect(linkIn(liaisonMail, '/messages/new')).toBe(`http://portal.test/messages/new?to=${liaison.id}`);

    const twice = await postForm(readerAgent, `/practices/${id}/interest`, {}, `/practices/${id}`);
    expect(twice.status).toBe(303);
    expect(await PracticeInterest.countDocuments({ practice: id, user: reader.id })).toBe(1);
    await t.ctx.mailer.drained();
    expect(t.smtp.to(author.email).filter((m) => m.subject.includes('Vertical farming') && m.text.includes('Nguyen Reader'))).toHaveLength(1);

    const page = await newAgent(t.app).get(`/practices/${id}`);
    expect(page.text).toContain('2 readers are interested in adopting this.');
    expect((await readerAgent.get(`/practices/${id}`)).text).toContain('You told the author you are interested');

    // The author cannot be interested in their own practice; anonymous readers are asked to log in.
    expect((await postForm(authorAgent, `/practices/${id}/interest`, {}, `/practices/${id}`)).status).toBe(409);
    expect((await newAgent(t.app).post(`/practices/${id}/interest`)).status).toBe(403); // no CSRF token, no session
  });

  it('nobody can be interested in a hidden practice', async () => {
    const { id } = await published('Hidden kelp farming');
    await postForm(organizer, `/admin/practices/${id}/hide`, { reason: 'Off topic' }, `/admin/practices/${id}/hide`);
    const reader = await makeUser({ role: 'member' });
    const readerAgent = newAgent(t.app);
    await login(readerAgent, reader.email, reader.password);
    expect((await postForm(readerAgent, `/practices/${id}/interest`, {}, '/practices/new')).status).toBe(404);
  });
});
