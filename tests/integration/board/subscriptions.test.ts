/**
 * Subscriptions and reply e-mails over HTTP with a real SMTP capture: the author is subscribed,
 * the replier is not mailed, one e-mail per thread until the next visit, the recipient's language,
 * the one-click unsubscribe link working without login, and subscribe/unsubscribe buttons.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { csrfFrom, newAgent, postForm } from '../../helpers/http';
import { linkIn } from '../../helpers/smtp';
import { BoardSubscription } from '../../../src/modules/board/model';
import { unsubscribeToken } from '../../../src/modules/board/subscriptions';
import { person, replyTo, startThread, type Person } from './helpers';

// Logins hash passwords with argon2 and the machine is shared: give hooks and tests room.
jest.setTimeout(60_000);

let t: TestApp;
let author: Person;
let zhAuthor: Person;
let replier: Person;
let other: Person;

beforeAll(async () => {
  t = await createTestApp();
  author = await person(t, { name: 'Ana Author' });
  zhAuthor = await person(t, { name: '李华', language: 'zh-CN' });
  replier = await person(t, { name: 'Rui Replier' });
  other = await person(t, { name: 'Olga Other' });
});
afterAll(async () => {
  await t.close();
});

/** Waits until every e-mail the replies asked for has arrived, so counting what did not come is sound. */
const settle = () => t.mailSettled();

test('a reply mails the author once until they visit the thread again; never the replier', async () => {
  const threadId = await startThread(author.agent, 'general', 'Looking for a distributor', 'In Vietnam, please.');
  expect(await BoardSubscription.countDocuments({ thread: threadId })).toBe(1);

  const firstReply = await replyTo(replier.agent, threadId, 'We distribute in *Hanoi*.');
  const mail = await t.smtp.waitFor((m) => m.to.includes(author.user.email));
  expect(mail.subject).toBe('New reply in “Looking for a distributor”');
  expect(mail.text).toContain('Rui Replier replied in the thread “Looking for a distributor”');
  // No text of the reply: it could be hidden while the e-mail waits in the outbox.
  expect(mail.text).not.toContain('Hanoi');
  expect(mail.text).toContain(`http://portal.test/board/posts/${firstReply}`);
  // mailparser folds List-* headers into one structured "list" header.
  expect(JSON.stringify(mail.headers.get('list') ?? mail.headers.get('list-unsubscribe'))).toContain('http://portal.test/board/unsubscribe?token=');
  expect(mail.text).toContain('http://portal.test/board/unsubscribe?token=');

  // More replies before the author comes back: no more e-mail.
  await replyTo(other.agent, threadId, 'Also Ho Chi Minh City.');
  await replyTo(replier.agent, threadId, 'And Da Nang.');
  await settle();
  expect(t.smtp.to(author.user.email)).toHaveLength(1);
  expect(t.smtp.to(replier.user.email)).toHaveLength(0);

  // The author reads the thread: the next reply mails again.
  await author.agent.get(`/board/threads/${threadId}`);
  await replyTo(other.agent, threadId, 'One more idea.');
  await t.smtp.waitFor((m) => m.to.includes(author.user.email) && m.text.includes('Olga Other replied'));
  expect(t.smtp.to(author.user.email)).toHaveLength(2);
  // The author's own reply mails nobody who is not subscribed.
  await replyTo(author.agent, threadId, 'Thanks all!');
  await settle();
  expect(t.smtp.to(other.user.email)).toHaveLength(0);
});

test('e-mails go out in the recipient language', async () => {
  const threadId = await startThread(zhAuthor.agent, 'financing', '寻找投资', '我们需要天使投资。');
  await replyTo(replier.agent, threadId, 'Have you tried the fund?');
  const mail = await t.smtp.waitFor((m) => m.to.includes(zhAuthor.user.email));
  expect(mail.subject).toBe('“寻找投资”有新回复');
  expect(mail.text).toContain('Rui Replier 在主题“寻找投资”中发表了回复');
  expect(mail.text).toContain('阅读回复');
});

test('the unsubscribe link works without login: GET confirms, POST unsubscribes', async () => {
  const threadId = await startThread(author.agent, 'general', 'Unsubscribe me later', 'Body');
  await t.ctx.mailer.drained();
  t.smtp.clear();
  await replyTo(replier.agent, threadId, 'A reply that triggers mail');
  const mail = await t.smtp.waitFor((m) => m.to.includes(author.user.email) && m.subject.includes('Unsubscribe me later'));
  const link = linkIn(mail, '/board/unsubscribe');
  const path = link.replace('http://portal.test', '');

  const anonymous = newAgent(t.app);
  const confirm = await anonymous.get(path);
  expect(confirm.status).toBe(200);
  expect(confirm.text).toContain('Stop e-mails about replies in “Unsubscribe me later”?');
  expect(await BoardSubscription.countDocuments({ thread: threadId, user: author.user.id })).toBe(1); // GET changes nothing

  const token = new URL(link).searchParams.get('token')!;
  const done = await anonymous.post('/board/unsubscribe').type('form').send({ token, _csrf: csrfFrom(confirm.text) });
  expect(done.status).toBe(200);
  expect(done.text).toContain('You will get no more e-mails about “Unsubscribe me later”');
  expect(await BoardSubscription.countDocuments({ thread: threadId, user: author.user.id })).toBe(0);

  await author.agent.get(`/board/threads/${threadId}`);
  await replyTo(other.agent, threadId, 'Nobody will be told');
  await settle();
  expect(t.smtp.to(author.user.email).filter((m) => m.subject.includes('Unsubscribe me later'))).toHaveLength(1);

  const again = await anonymous.get(path);
  expect(again.text).toContain('You are not subscribed');
});

test('a mail client unsubscribes with one POST to the link (RFC 8058), without session or CSRF token', async () => {
  const oneClickAuthor = await person(t, { member: 'CN' });
  const oneClickReplier = await person(t, { member: 'DE' });
  const threadId = await startThread(oneClickAuthor.agent, 'general', 'One-click unsubscribe thread', 'Who exports tea?');
  await replyTo(oneClickReplier.agent, threadId, 'A reply that mails the author');
  const mail = await t.smtp.waitFor((m) => m.to.includes(oneClickAuthor.user.email) && m.text.includes('/board/unsubscribe'));
  // mailparser gathers the List-* headers under "list".
  expect(JSON.stringify(mail.headers.get('list'))).toContain('List-Unsubscribe=One-Click');
  const link = new URL(linkIn(mail, '/board/unsubscribe'));
  const res = await request(t.app).post(`${link.pathname}${link.search}`).type('form').send('List-Unsubscribe=One-Click');
  expect(res.status).toBe(200);
  expect(await BoardSubscription.countDocuments({ thread: threadId, user: oneClickAuthor.user.id })).toBe(0);
  // Every other POST still needs its CSRF token.
  expect((await request(t.app).post(`/board/threads/${threadId}/unsubscribe`).type('form').send({})).status).toBe(403);
});

test('a forged or altered unsubscribe token is refused', async () => {
  const threadId = await startThread(author.agent, 'general', 'Token checks', 'Body');
  const good = unsubscribeToken(t.config.sessionSecret, author.user.id, threadId);
  const forged = unsubscribeToken('another-secret-another-secret-000', author.user.id, threadId);
  const otherUser = `${other.user.id}.${good.split('.').slice(1).join('.')}`;
  for (const token of [forged, otherUser, 'garbage', '']) {
    const res = await request(t.app).get(`/board/unsubscribe?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('This unsubscribe link is not valid');
  }
  expect((await request(t.app).get(`/board/unsubscribe?token=${encodeURIComponent(good)}`)).status).toBe(200);
  expect(await BoardSubscription.countDocuments({ thread: threadId })).toBe(1);
});

test('anyone logged in subscribes and unsubscribes with a button', async () => {
  const threadId = await startThread(author.agent, 'general', 'Follow me', 'Body');
  const page = await other.agent.get(`/board/threads/${threadId}`);
  expect(page.text).toContain(`action="/board/threads/${threadId}/subscribe"`);
  expect((await postForm(other.agent, `/board/threads/${threadId}/subscribe`, {}, `/board/threads/${threadId}`)).status).toBe(303);
  expect((await other.agent.get(`/board/threads/${threadId}`)).text).toContain(`action="/board/threads/${threadId}/unsubscribe"`);

  await replyTo(replier.agent, threadId, 'Hello followers');
  await t.smtp.waitFor((m) => m.to.includes(other.user.email) && m.subject.includes('Follow me'));

  expect((await postForm(other.agent, `/board/threads/${threadId}/unsubscribe`, {}, `/board/threads/${threadId}`)).status).toBe(303);
  expect(await BoardSubscription.countDocuments({ thread: threadId, user: other.user.id })).toBe(0);
  expect((await request(t.app).post(`/board/threads/${threadId}/subscribe`)).status).toBe(403);
});
