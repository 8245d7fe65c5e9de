/**
 * A hidden post is gone everywhere a reader could still meet its text: inside replies that quoted
 * it (by reference, and in the older copied Markdown form), in board search (with its thread's
 * title when it opens the thread), and in reply e-mails waiting in the outbox. Its author is told,
 * with the reason, in their own language.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { postForm, type Agent } from '../../helpers/http';
import { BoardPost } from '../../../src/modules/board/model';
import { organizer, person, replyTo, startThread, type Person } from './helpers';

jest.setTimeout(60_000);

let t: TestApp;
let org: Agent;
let author: Person;
let quoter: Person;

beforeAll(async () => {
  t = await createTestApp();
  org = await organizer(t);
  author = await person(t, { name: 'Hu Author', language: 'zh-CN' });
  quoter = await person(t, { name: 'Quinn Quoter' });
});
afterAll(async () => {
  await t.close();
});

const hide = (postId: string, reason: string) => postForm(org, `/board/posts/${postId}/hide`, { reason }, `/board/posts/${postId}/hide`);
const restore = (postId: string) => postForm(org, `/board/posts/${postId}/restore`, {}, '/board');
const searchText = async (q: string) => (await request(t.app).get(`/board/search?q=${encodeURIComponent(q)}`)).text;

test('a reply that quoted a post shows no text of it once the post is hidden, in either quoting form', async () => {
  const threadId = await startThread(quoter.agent, 'general', 'Export credit', 'Who insures exports?');
  const quotedId = await replyTo(author.agent, threadId, 'Call the marmalade agency.');
  // A quote by reference (today's reply form) ...
  const res = await postForm(quoter.agent, `/board/threads/${threadId}/reply`, { body: 'Good tip.', quote: quotedId }, `/board/threads/${threadId}`);
  expect(res.status).toBe(303);
  // ... and one copied into the reply's text, as the reply form used to do.
  await replyTo(quoter.agent, threadId, '> Hu Author wrote:\n>\n> Call the marmalade agency.\n\nSeconded.');
  let page = await quoter.agent.get(`/board/threads/${threadId}`);
  expect(page.text.match(/marmalade/g)).toHaveLength(3);

  expect((await hide(quotedId, 'Advertising')).status).toBe(303);
  for (const reader of [quoter.agent, request(t.app)]) {
    page = await reader.get(`/board/threads/${threadId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('marmalade');
    expect(page.text).toContain('Good tip.');
    expect(page.text).toContain('Seconded.');
    expect(page.text).toContain('The quoted post was hidden by the organizer.');
  }
  // Quoting the hidden post now is refused on the form, nothing stored.
  const before = await BoardPost.countDocuments({ thread: threadId });
  const refused = await postForm(quoter.agent, `/board/threads/${threadId}/reply`, { body: 'Again', quote: quotedId }, `/board/threads/${threadId}`);
  expect(refused.status).toBe(422);
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(before);
});

test('a hidden post leaves the search index at once, the opening post with its thread title', async () => {
  const threadId = await startThread(author.agent, 'general', 'Quokka cooperatives', 'The wombat fund helps.');
  const replyId = await replyTo(quoter.agent, threadId, 'So does the platypus programme.');
  expect(await searchText('platypus')).toContain('platypus programme');
  expect(await searchText('quokka')).toContain('Quokka cooperatives');

  expect((await hide(replyId, 'Off topic')).status).toBe(303);
  expect(await searchText('platypus')).not.toContain('platypus programme');
  const stored = await BoardPost.findById(replyId).select('+searchTerms').lean();
  expect(stored!.searchTerms).toEqual([]);

  const opening = await BoardPost.findOne({ thread: threadId, number: 1 }).lean();
  expect((await hide(String(opening!._id), 'Spam')).status).toBe(303);
  expect(await searchText('quokka')).not.toContain('Quokka cooperatives');
  expect(await searchText('wombat')).not.toContain('wombat fund');

  // Restored, both are found again.
  expect((await restore(String(opening!._id))).status).toBe(303);
  expect((await restore(replyId)).status).toBe(303);
  expect(await searchText('quokka')).toContain('Quokka cooperatives');
  expect(await searchText('platypus')).toContain('platypus programme');
});

test('a reply e-mail already queued when its post is hidden carries no text of it', async () => {
  const threadId = await startThread(author.agent, 'general', 'Trade missions', 'Who is going to Hanoi?');
  await t.mailSettled();
  t.smtp.hold();
  const replyId = await replyTo(quoter.agent, threadId, 'Buy my zeppelin tickets now.');
  await t.smtp.waitForHeld(1);
  expect((await hide(replyId, 'Advertising')).status).toBe(303);
  t.smtp.release();
  const mail = await t.smtp.waitFor((m) => m.to.includes(author.user.email) && m.subject.includes('Trade missions'));
  expect(mail.text).not.toContain('zeppelin');
  expect(mail.html).not.toContain('zeppelin');
});

test('the author of a hidden post is told why, in their language, once', async () => {
  const threadId = await startThread(quoter.agent, 'general', 'Fair logistics', 'Shipping booths?');
  const postId = await replyTo(author.agent, threadId, 'Use my cousin.');
  await t.mailSettled();
  const before = t.smtp.to(author.user.email).length;
  expect((await hide(postId, 'Self-promotion without details')).status).toBe(303);
  const mail = await t.smtp.waitFor((m) => m.to.includes(author.user.email) && m.subject === '您在留言板上的帖子已被隐藏' && m.text.includes('Fair logistics'));
  expect(mail.text).toContain('组织方已隐藏您在主题“Fair logistics”中的帖子');
  expect(mail.text).toContain('Self-promotion without details');
  expect(mail.text).not.toContain('Use my cousin');
  // Hiding it again (a new reason) tells nobody twice.
  expect((await hide(postId, 'Still self-promotion')).status).toBe(303);
  await t.mailSettled();
  expect(t.smtp.to(author.user.email)).toHaveLength(before + 1);
});
