/**
 * Conversations over HTTP: who may write to whom, privacy, unread counts, throttled e-mail, bad input.
 */
import { Types } from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { login, newAgent, postForm, type Agent } from '../../helpers/http';
import { linkIn } from '../../helpers/smtp';
import { User } from '../../../src/modules/accounts/model';
import { Conversation, ConversationMembership, PrivateMessage } from '../../../src/modules/messages/model';

// A slow shared machine: password hashing and several logins per test.
jest.setTimeout(30_000);

let t: TestApp;
let organizerId: string;

beforeAll(async () => {
  t = await createTestApp();
  organizerId = String((await User.findOne({ email: ORGANIZER.email }).lean())!._id);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.ctx.mailer.drained(); // nothing of an earlier test arrives after the clear
  t.smtp.clear();
});

async function as(user: { email: string; password: string }): Promise<Agent> {
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  return agent;
}

function start(agent: Agent, recipients: string | string[], subject = 'Booth coordination', body = 'Hello, shall we meet at the fair?') {
  return postForm(agent, '/messages/new', { recipients, subject, body }, '/messages/new');
}

function conversationIdFrom(location: string | undefined): string {
  const m = /^\/messages\/([a-f0-9]{24})$/.exec(location ?? '');
  if (!m) throw new Error(`not a conversation location: ${location}`);
  return m[1]!;
}

function badgeOf(html: string): number {
  const m = /href="\/messages"[^>]*>[^<]*<span class="badge"[^>]*>(\d+)</.exec(html);
  return m ? Number(m[1]) : 0;
}

describe('who may start a conversation with whom', () => {
  let memberDE: MadeUser, memberDE2: MadeUser, memberFR: MadeUser, liaisonDE: MadeUser, liaisonFR: MadeUser;
  beforeAll(async () => {
    [memberDE, memberDE2, memberFR, liaisonDE, liaisonFR] = await Promise.all([
      makeUser({ role: 'member', member: 'DE' }),
      makeUser({ role: 'member', member: 'DE' }),
      makeUser({ role: 'member', member: 'FR' }),
      makeUser({ role: 'liaison', member: 'DE' }),
      makeUser({ role: 'liaison', member: 'FR' }),
    ]);
  });

  const cases: [string, () => MadeUser | typeof ORGANIZER, () => string, boolean][] = [
    ['member → own liaison', () => memberDE, () => liaisonDE.id, true],
    ["member → other member's liaison", () => memberDE, () => liaisonFR.id, false],
    ['member → member of the same ASEM member', () => memberDE, () => memberDE2.id, false],
    ['member → member of another ASEM member', () => memberDE, () => memberFR.id, false],
    ['member → organizer', () => memberDE, () => organizerId, false],
    ['liaison → liaison of another member', () => liaisonDE, () => liaisonFR.id, true],
    ['liaison → organizer', () => liaisonDE, () => organizerId, true],
    ['liaison → SME of its own member', () => liaisonDE, () => memberDE.id, true],
    ['liaison → SME of another member', () => liaisonDE, () => memberFR.id, false],
    ['organizer → member', () => ORGANIZER, () => memberFR.id, true],
    ['organizer → liaison', () => ORGANIZER, () => liaisonFR.id, true],
  ];

  test.each(cases)('%s', async (_label, from, to, allowed) => {
    const agent = await as(from());
    const before = await Conversation.countDocuments({});
    const res = await start(agent, to());
    if (allowed) {
      expect(res.status).toBe(303);
      conversationIdFrom(res.headers.location);
      expect(await Conversation.countDocuments({})).toBe(before + 1);
    } else {
      expect(res.status).toBe(422);
      expect(res.text).toContain('You may not start a conversation with this person.');
      expect(res.text).toContain('Booth coordination'); // input kept
      expect(await Conversation.countDocuments({})).toBe(before);
    }
  });

  test('the recipient list offers only people one may contact', async () => {
    const agent = await as(memberDE);
    const res = await agent.get('/messages/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`value="${liaisonDE.id}"`);
    expect(res.text).not.toContain(`value="${liaisonFR.id}"`);
    expect(res.text).not.toContain(`value="${memberDE2.id}"`);
    expect(res.text).not.toContain(`value="${organizerId}"`);
  });

  test('?to= preselects an allowed recipient and refuses a forbidden one', async () => {
    const agent = await as(memberDE);
    const ok = await agent.get(`/messages/new?to=${liaisonDE.id}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(new RegExp(`value="${liaisonDE.id}" checked`));
    const refused = await agent.get(`/messages/new?to=${liaisonFR.id}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You may not start a conversation with this person.');
    const unknown = await agent.get(`/messages/new?to=${new Types.ObjectId().toHexString()}`);
    expect(unknown.status).toBe(404);
  });

  test('a liaison may not put an SME together with a foreign liaison', async () => {
    const agent = await as(liaisonDE);
    const res = await start(agent, [memberDE.id, liaisonFR.id]);
    expect(res.status).toBe(422);
    expect(res.text).toContain('may not be put in one conversation together');
  });

  test('the directory lists liaisons by member without e-mail addresses, with write links where allowed', async () => {
    await User.updateOne({ _id: liaisonDE.id }, { $set: { languages: ['de', 'en'] } });
    const anonymous = await newAgent(t.app).get('/messages/liaisons');
    expect(anonymous.text).toContain('German, English');
    expect(anonymous.status).toBe(200);
    expect(anonymous.text).toContain(liaisonDE.name);
    expect(anonymous.text).toContain('Germany');
    expect(anonymous.text).toContain('Ministry of SMEs');
    expect(anonymous.text).not.toContain(liaisonDE.email);
    expect(anonymous.text).not.toContain('/messages/new?to=');
    const member = await as(memberDE);
    const res = await member.get('/messages/liaisons');
    expect(res.text).toContain(`/messages/new?to=${liaisonDE.id}`);
    expect(res.text).not.toContain(`/messages/new?to=${liaisonFR.id}`);
    const zh = await member.get('/messages/liaisons?lang=zh-CN');
    expect(zh.text).toContain('德国');
    expect(zh.text).toContain('德语, 英语');
    expect(zh.text).toContain('联络官名录');
  });
});

describe('privacy', () => {
  test('only participants can read or post; others, the organizer included, get 404', async () => {
    const a = await makeUser({ role: 'liaison', member: 'IT' });
    const b = await makeUser({ role: 'liaison', member: 'ES' });
    const outsider = await makeUser({ role: 'liaison', member: 'IT' });
    const agentA = await as(a);
    const id = conversationIdFrom((await start(agentA, b.id, 'Private matter', 'Only for you')).headers.location);
    for (const who of [outsider, ORGANIZER]) {
      const agent = await as(who);
      const view = await agent.get(`/messages/${id}`);
      expect(view.status).toBe(404);
      expect(view.text).not.toContain('Only for you');
      const post = await postForm(agent, `/messages/${id}`, { body: 'Let me in' }, '/messages/new');
      expect(post.status).toBe(404);
      const list = await agent.get('/messages');
      expect(list.text).not.toContain('Private matter');
    }
    expect(await PrivateMessage.countDocuments({ conversation: id })).toBe(1);
    const forged = await agentA.get(`/messages/${new Types.ObjectId().toHexString()}`);
    expect(forged.status).toBe(404);
    expect((await agentA.get('/messages/not-an-id')).status).toBe(404);
    expect((await postForm(agentA, `/messages/${new Types.ObjectId().toHexString()}`, { body: 'x' }, '/messages/new')).status).toBe(404);
  });

  test('anonymous visitors are sent to the login page', async () => {
    const res = await newAgent(t.app).get('/messages');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fmessages');
  });
});

describe('unread counts, marking read and throttled e-mail', () => {
  test('counts in the header and per conversation, cleared on view; one e-mail while unread, re-armed on reading', async () => {
    const sender = await makeUser({ role: 'liaison', member: 'JP' });
    const reader = await makeUser({ role: 'liaison', member: 'KR', language: 'zh-CN' });
    const agentS = await as(sender);
    const agentR = await as(reader);

    const id = conversationIdFrom((await start(agentS, reader.id, 'Hall layout', 'First message')).headers.location);
    const first = await t.smtp.waitFor((m) => m.to.includes(reader.email));
    expect(first.subject).toContain('Hall layout');
    expect(first.subject).toContain('新消息'); // the recipient's language
    expect(linkIn(first, `/messages/${id}`)).toBe(`http://portal.test/messages/${id}`);
    expect(first.text).toContain('First message');

    // A second message while the first is unread: counted, but no second e-mail.
    const reply = await postForm(agentS, `/messages/${id}`, { body: 'Second message' }, '/messages/new');
    expect(reply.status).toBe(303);
    let home = await agentR.get('/messages');
    expect(badgeOf(home.text)).toBe(2);
    expect(home.text).toMatch(/Hall layout<\/a>\s*<span class="badge">2/);
    await t.ctx.mailer.drained();
    expect(t.smtp.to(reader.email)).toHaveLength(1);
    // The sender sees nothing unread in their own conversation.
    expect(badgeOf((await agentS.get('/messages')).text)).toBe(0);

    // Reading clears the counts and re-arms the e-mail.
    const view = await agentR.get(`/messages/${id}`);
    expect(view.status).toBe(200);
    expect(view.text).toContain('First message');
    expect(view.text).toContain('Second message');
    expect(badgeOf(view.text)).toBe(0);
    home = await agentR.get('/messages');
    expect(badgeOf(home.text)).toBe(0);
    const m = await ConversationMembership.findOne({ conversation: id, user: reader.id }).lean();
    expect(m).toMatchObject({ unread: 0, notified: false });

    await postForm(agentS, `/messages/${id}`, { body: 'Third message' }, '/messages/new');
    await t.smtp.waitFor((mail) => mail.to.includes(reader.email) && mail.text.includes('Third message'));
    await t.ctx.mailer.drained();
    expect(t.smtp.to(reader.email)).toHaveLength(2);
    expect(badgeOf((await agentR.get('/messages')).text)).toBe(1);

    // The reader replies: the sender is notified once, and the reader's own count stays clear.
    await postForm(agentR, `/messages/${id}`, { body: '回复：收到' }, '/messages/new');
    await t.smtp.waitFor((mail) => mail.to.includes(sender.email));
    expect(badgeOf((await agentR.get('/messages')).text)).toBe(0);
  });

  test('messages are paginated in order and a conversation opens at its first unread message', async () => {
    const a = await makeUser({ role: 'liaison', member: 'CN' });
    const b = await makeUser({ role: 'liaison', member: 'VN' });
    const agentA = await as(a);
    const agentB = await as(b);
    const id = conversationIdFrom((await start(agentA, b.id, 'Long thread', 'Message 01')).headers.location);
    await agentB.get(`/messages/${id}`);
    // 44 more: written straight to the database in order, then counted as unread for b.
    const base = Date.now();
    const docs = Array.from({ length: 44 }, (_, i) => ({ conversation: new Types.ObjectId(id), author: new Types.ObjectId(a.id), body: `Message ${String(i + 2).padStart(2, '0')}`, createdAt: new Date(base + (i + 1) * 1000) }));
    await PrivateMessage.insertMany(docs);
    await Conversation.updateOne({ _id: id }, { $inc: { messageCount: docs.length } });
    await ConversationMembership.updateOne({ conversation: id, user: b.id }, { $set: { unread: 5 } });
    const open = await agentB.get(`/messages/${id}`);
    // 45 messages, 20 a page: the first unread (message 41) is on page 3.
    expect(open.text).toContain('Page 3 of 3');
    expect(open.text).toContain('Message 41');
    expect(open.text).not.toContain('Message 40');
    const p1 = await agentB.get(`/messages/${id}?page=1`);
    expect(p1.text.indexOf('Message 01')).toBeLessThan(p1.text.indexOf('Message 20'));
    expect(p1.text).not.toContain('Message 21');
    const p2 = await agentB.get(`/messages/${id}?page=2`);
    expect(p2.text).toContain('Message 21');
    expect(p2.text).toContain('Message 40');
    expect((await agentB.get(`/messages/${id}?page=99`)).text).toContain('Page 3 of 3');
  });
});

describe('bad input', () => {
  let a: MadeUser, b: MadeUser;
  beforeAll(async () => {
    a = await makeUser({ role: 'liaison', member: 'TH' });
    b = await makeUser({ role: 'liaison', member: 'MY' });
  });

  test.each([
    ['empty body', { subject: 'S', body: '   ' }, 'body', 'This field is required.'],
    ['empty subject', { subject: '', body: 'Hello' }, 'subject', 'This field is required.'],
    ['oversized body', { subject: 'S', body: 'x'.repeat(10_001) }, 'body', 'at most 10000 characters'],
    ['oversized subject', { subject: 's'.repeat(201), body: 'Hello' }, 'subject', 'at most 200 characters'],
    ['script in Markdown', { subject: 'S', body: 'Hi <script>alert(1)</script>' }, 'body', 'Scripts, HTML tags'],
    ['javascript: link', { subject: 'S', body: '[click](javascript:alert(1))' }, 'body', 'Scripts, HTML tags'],
  ])('a new conversation with %s is refused beside the field, nothing stored', async (_label, fields, field, message) => {
    const agent = await as(a);
    const before = await Conversation.countDocuments({});
    const res = await postForm(agent, '/messages/new', { recipients: b.id, ...fields }, '/messages/new');
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="f-${field}-error"`);
    expect(res.text).toContain(message);
    expect(await Conversation.countDocuments({})).toBe(before);
  });

  test('no recipient, or a forged recipient id, is refused', async () => {
    const agent = await as(a);
    const none = await postForm(agent, '/messages/new', { subject: 'S', body: 'Hello' }, '/messages/new');
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose at least one recipient.');
    const forged = await postForm(agent, '/messages/new', { recipients: new Types.ObjectId().toHexString(), subject: 'S', body: 'Hello' }, '/messages/new');
    expect(forged.status).toBe(422);
    const garbage = await postForm(agent, '/messages/new', { recipients: '{"$gt":""}', subject: 'S', body: 'Hello' }, '/messages/new');
    expect(garbage.status).toBe(422);
    const self = await postForm(agent, '/messages/new', { recipients: a.id, subject: 'S', body: 'Hello' }, '/messages/new');
    expect(self.status).toBe(422);
  });

  test('a bad reply is refused with the conversation shown again, nothing stored; Markdown is rendered safely', async () => {
    const agent = await as(a);
    const id = conversationIdFrom((await start(agent, b.id, 'Markdown', '**bold** and <b>tag</b> & [link](https://example.org)')).headers.location);
    const view = await agent.get(`/messages/${id}`);
    expect(view.text).toContain('<strong>bold</strong>');
    expect(view.text).toContain('rel="nofollow noopener noreferrer"');
    const res = await postForm(agent, `/messages/${id}`, { body: '<img src=x onerror=alert(1)>' }, '/messages/new');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Scripts, HTML tags');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;'); // kept, escaped
    const empty = await postForm(agent, `/messages/${id}`, { body: '' }, '/messages/new');
    expect(empty.status).toBe(422);
    expect(await PrivateMessage.countDocuments({ conversation: id })).toBe(1);
  });
});
