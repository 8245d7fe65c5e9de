/**
 * Moderation over HTTP: pinning, locking, moving, hiding threads and posts (and what everyone
 * else then sees), the report queue, the organizer's category pages, and who may do none of it.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { postForm, type Agent } from '../../helpers/http';
import { AuditEntry } from '../../../src/modules/audit/model';
import { BoardCategory, BoardPost, BoardReport, BoardThread } from '../../../src/modules/board/model';
import { organizer, person, replyTo, startThread, type Person } from './helpers';

// Logins hash passwords with argon2 and the machine is shared: give hooks and tests room.
jest.setTimeout(60_000);

let t: TestApp;
let org: Agent;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  t = await createTestApp();
  org = await organizer(t);
  alice = await person(t, { name: 'Alice Moderated' });
  bob = await person(t, { name: 'Bob Reporter' });
});
afterAll(async () => {
  await t.close();
});

const moderate = (threadId: string, data: Record<string, string>) => postForm(org, `/board/threads/${threadId}/moderate`, data, `/board/threads/${threadId}`);

test('a pinned thread stays on top of its category until unpinned', async () => {
  const pinned = await startThread(alice.agent, 'technology-and-innovation', 'House rules of this category', 'Be kind.');
  const later = await startThread(alice.agent, 'technology-and-innovation', 'A newer question', 'Anyone?');
  let list = (await request(t.app).get('/board/technology-and-innovation')).text;
  expect(list.indexOf(later)).toBeLessThan(list.indexOf(pinned));
  expect((await moderate(pinned, { action: 'pin' })).status).toBe(303);
  list = (await request(t.app).get('/board/technology-and-innovation')).text;
  expect(list.indexOf(pinned)).toBeLessThan(list.indexOf(later));
  expect(list).toContain('Pinned');
  await moderate(pinned, { action: 'unpin' });
  list = (await request(t.app).get('/board/technology-and-innovation')).text;
  expect(list.indexOf(later)).toBeLessThan(list.indexOf(pinned));
  expect(await AuditEntry.countDocuments({ action: 'board.thread.pin', targetId: pinned })).toBe(1);
});

test('a locked thread refuses replies with a clear message and stores nothing; unlocking reopens it', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Heated debate', 'Opinions?');
  await moderate(threadId, { action: 'lock' });
  const page = await bob.agent.get(`/board/threads/${threadId}`);
  expect(page.text).toContain('This thread is locked');
  expect(page.text).not.toContain(`action="/board/threads/${threadId}/reply"`);
  const refused = await postForm(bob.agent, `/board/threads/${threadId}/reply`, { body: 'Let me in' }, '/board');
  expect(refused.status).toBe(409);
  expect(refused.text).toContain('This thread is locked: the organizer has closed it to new replies.');
  expect((await bob.agent.get(`/board/threads/${threadId}/reply`)).status).toBe(409);
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(1);
  expect((await BoardThread.findById(threadId).lean())!.replyCount).toBe(0);

  await moderate(threadId, { action: 'unlock' });
  await replyTo(bob.agent, threadId, 'Calmer now');
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(2);
});

test('a hidden thread vanishes for everyone but the organizer, takes no replies, and can be restored', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Spammy offer zebrafish', 'Buy now zebrafish');
  const missingReason = await moderate(threadId, { action: 'hide', reason: '' });
  expect(missingReason.status).toBe(422);
  expect(missingReason.text).toContain('id="f-reason-error"');
  expect((await BoardThread.findById(threadId).lean())!.hidden).toBe(false);

  expect((await moderate(threadId, { action: 'hide', reason: 'Advertising' })).status).toBe(303);
  for (const agent of [request(t.app), alice.agent, bob.agent]) {
    expect((await agent.get(`/board/threads/${threadId}`)).status).toBe(404);
  }
  expect((await request(t.app).get('/board/general')).text).not.toContain('Spammy offer');
  expect((await request(t.app).get('/board/search?q=zebrafish')).text).not.toContain('Spammy offer');
  expect((await request(t.app).get('/board')).text).not.toContain('Spammy offer');
  const reply = await postForm(alice.agent, `/board/threads/${threadId}/reply`, { body: 'bump' }, '/board');
  expect(reply.status).toBe(404);
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(1);

  const seen = await org.get(`/board/threads/${threadId}`);
  expect(seen.status).toBe(200);
  expect(seen.text).toContain('Hidden by the organizer: Advertising');
  expect((await org.get('/board/general')).text).toContain('Spammy offer');

  await moderate(threadId, { action: 'restore' });
  expect((await request(t.app).get(`/board/threads/${threadId}`)).status).toBe(200);
  expect((await request(t.app).get('/board/search?q=zebrafish')).text).toContain('Spammy offer');
});

test('hiding a post removes it for others, with the reason kept; restoring brings it back', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Post hiding', 'Fine opening');
  const bad = await replyTo(bob.agent, threadId, 'Rude words here');
  const empty = await postForm(org, `/board/posts/${bad}/hide`, { reason: '' }, `/board/posts/${bad}/hide`);
  expect(empty.status).toBe(422);
  expect((await postForm(org, `/board/posts/${bad}/hide`, { reason: 'Insults' }, `/board/posts/${bad}/hide`)).status).toBe(303);
  const reader = await alice.agent.get(`/board/threads/${threadId}`);
  expect(reader.text).not.toContain('Rude words here');
  expect((await request(t.app).get(`/board/posts/${bad}`)).status).toBe(404);
  expect((await bob.agent.get(`/board/posts/${bad}/edit`)).status).toBe(404);
  const mod = await org.get(`/board/threads/${threadId}`);
  expect(mod.text).toContain('Rude words here');
  expect(mod.text).toContain('Hidden by the organizer: Insults');
  expect((await AuditEntry.findOne({ action: 'board.post.hide', targetId: bad }).lean())!.note).toBe('Insults');

  await postForm(org, `/board/posts/${bad}/restore`, {}, `/board/threads/${threadId}`);
  expect((await alice.agent.get(`/board/threads/${threadId}`)).text).toContain('Rude words here');
});

test('moving a thread takes it (and its posts) to the other category', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Belongs in financing', 'Loans?');
  const financing = await BoardCategory.findOne({ slug: 'financing' }).lean();
  expect((await moderate(threadId, { action: 'move', category: String(financing!._id) })).status).toBe(303);
  expect((await request(t.app).get('/board/general')).text).not.toContain('Belongs in financing');
  expect((await request(t.app).get('/board/financing')).text).toContain('Belongs in financing');
  expect(await BoardPost.countDocuments({ thread: threadId, category: financing!._id })).toBe(1);
  expect((await moderate(threadId, { action: 'move', category: '0123456789abcdef01234567' })).status).toBe(422);
});

test('only the organizer moderates', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Not yours to pin', 'x');
  const post = await BoardPost.findOne({ thread: threadId }).lean();
  expect((await postForm(alice.agent, `/board/threads/${threadId}/moderate`, { action: 'pin' }, '/board')).status).toBe(403);
  expect((await postForm(bob.agent, `/board/posts/${post!._id}/hide`, { reason: 'x' }, '/board')).status).toBe(403);
  expect((await request(t.app).post(`/board/threads/${threadId}/moderate`).type('form').send('action=pin')).status).toBe(403); // no CSRF token, no session
  expect((await BoardThread.findById(threadId).lean())!.pinned).toBe(false);
  for (const path of ['/admin/board/reports', '/admin/board/categories']) {
    expect((await alice.agent.get(path)).status).toBe(403);
    expect((await request(t.app).get(path)).status).toBe(303);
  }
});

describe('the report queue', () => {
  test('a report needs a reason; it reaches the queue once; the organizer resolves, dismisses or hides', async () => {
    const threadId = await startThread(alice.agent, 'general', 'Reported thread', 'Opening');
    const p1 = await replyTo(alice.agent, threadId, 'Questionable claim one');
    const p2 = await replyTo(alice.agent, threadId, 'Questionable claim two');
    const p3 = await replyTo(alice.agent, threadId, 'Questionable claim three');

    expect((await request(t.app).get(`/board/posts/${p1}/report`)).status).toBe(303); // log in first
    const noReason = await postForm(bob.agent, `/board/posts/${p1}/report`, { reason: ' ' }, `/board/posts/${p1}/report`);
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('id="f-reason-error"');
    expect(await BoardReport.countDocuments()).toBe(0);

    for (const [post, reason] of [[p1, 'False information'], [p1, 'False information, really'], [p2, 'Spam'], [p3, 'Insulting']] as const) {
      expect((await postForm(bob.agent, `/board/posts/${post}/report`, { reason }, `/board/posts/${post}/report`)).status).toBe(303);
    }
    expect(await BoardReport.countDocuments({ status: 'open' })).toBe(3); // the same person's second report on p1 is one

    let queue = await org.get('/admin/board/reports');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain('False information, really');
    expect(queue.text).toContain('Questionable claim two');
    expect(queue.text).toContain('Open (3)');

    const id = async (post: string) => String((await BoardReport.findOne({ post }).lean())!._id);
    const decide = async (post: string, decision: string) => postForm(org, `/admin/board/reports/${await id(post)}`, { decision }, '/admin/board/reports');
    expect((await decide(p1, 'resolve')).status).toBe(303);
    expect((await decide(p2, 'dismiss')).status).toBe(303);
    expect((await decide(p3, 'hide')).status).toBe(303);
    expect((await decide(p3, 'dismiss')).status).toBe(409);
    expect((await postForm(org, '/admin/board/reports/0123456789abcdef01234567', { decision: 'resolve' }, '/admin/board/reports')).status).toBe(404);

    expect((await BoardReport.findOne({ post: p1 }).lean())!.status).toBe('resolved');
    expect((await BoardReport.findOne({ post: p2 }).lean())!.status).toBe('dismissed');
    expect((await BoardPost.findById(p3).lean())!).toMatchObject({ hidden: true, hiddenReason: 'Insulting' });
    expect((await alice.agent.get(`/board/threads/${threadId}`)).text).not.toContain('Questionable claim three');

    queue = await org.get('/admin/board/reports');
    expect(queue.text).toContain('No reports here.');
    const resolved = await org.get('/admin/board/reports?status=resolved');
    expect(resolved.text).toContain('False information, really');
    expect(resolved.text).toContain('Questionable claim three');
  });
});

describe('categories for the organizer', () => {
  test('create, edit and reorder, with both languages and checked slugs', async () => {
    const list = await org.get('/admin/board/categories');
    expect(list.status).toBe(200);
    expect(list.text).toContain('综合讨论');

    const bad = await postForm(org, '/admin/board/categories/new', { slug: 'threads', nameEn: '', nameZh: '贸易', descriptionEn: 'd', descriptionZh: '说明' }, '/admin/board/categories/new');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="f-slug-error"');
    expect(bad.text).toContain('id="f-nameEn-error"');
    expect(bad.text).toContain('贸易');
    const taken = await postForm(org, '/admin/board/categories/new', { slug: 'general', nameEn: 'G', nameZh: '综', descriptionEn: 'd', descriptionZh: '说明' }, '/admin/board/categories/new');
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('Another category already has this address.');

    const created = await postForm(
      org,
      '/admin/board/categories/new',
      { slug: 'trade-rules', nameEn: 'Trade rules', nameZh: '贸易规则', descriptionEn: 'Customs and standards.', descriptionZh: '海关与标准。' },
      '/admin/board/categories/new',
    );
    expect(created.status).toBe(303);
    const cat = await BoardCategory.findOne({ slug: 'trade-rules' }).lean();
    expect(cat).toMatchObject({ name: { en: 'Trade rules', 'zh-CN': '贸易规则' }, position: 6 });
    expect((await request(t.app).get('/board/trade-rules?lang=zh-CN')).text).toContain('海关与标准。');

    const edited = await postForm(
      org,
      `/admin/board/categories/${cat!._id}/edit`,
      { slug: 'trade-and-customs', nameEn: 'Trade and customs', nameZh: '贸易与海关', descriptionEn: 'Customs.', descriptionZh: '海关。' },
      `/admin/board/categories/${cat!._id}/edit`,
    );
    expect(edited.status).toBe(303);
    expect((await request(t.app).get('/board/trade-and-customs')).text).toContain('Trade and customs');
    expect((await request(t.app).get('/board/trade-rules')).status).toBe(404);

    await postForm(org, `/admin/board/categories/${cat!._id}/move`, { direction: 'up' }, '/admin/board/categories');
    const order = (await BoardCategory.find().sort({ position: 1 }).lean()).map((c) => c.slug);
    expect(order.slice(-2)).toEqual(['trade-and-customs', 'environment-and-energy']);
    const overview = (await request(t.app).get('/board')).text;
    expect(overview.indexOf('/board/trade-and-customs')).toBeLessThan(overview.indexOf('/board/environment-and-energy'));

    expect((await postForm(alice.agent, '/admin/board/categories/new', { slug: 'x', nameEn: 'x', nameZh: 'x', descriptionEn: 'x', descriptionZh: 'x' }, '/board')).status).toBe(403);
  });
});

test('the board keeps no drafts: a post exists once submitted, and its edit and delete pages are its author’s alone', async () => {
  const threadId = await startThread(alice.agent, 'general', 'Draftless thread', 'Posted at once.');
  const opening = await BoardPost.findOne({ thread: threadId, number: 1 }).lean();
  const postId = String(opening!._id);
  // An invalid submission stores nothing: there is no half-written state anyone could open.
  const before = await BoardPost.countDocuments({ thread: threadId });
  expect((await postForm(bob.agent, `/board/threads/${threadId}/reply`, { body: '' }, `/board/threads/${threadId}`)).status).toBe(422);
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(before);
  for (const agent of [org, bob.agent]) {
    expect((await agent.get(`/board/posts/${postId}/edit`)).status).toBe(404);
    expect((await agent.get(`/board/posts/${postId}/delete`)).status).toBe(404);
    expect((await postForm(agent, `/board/posts/${postId}/edit`, { title: 'Taken over', body: 'Taken over' }, '/board')).status).toBe(404);
  }
  expect((await alice.agent.get(`/board/posts/${postId}/edit`)).status).toBe(200);
  // Deleted by its author: the text is gone for everyone, the organizer included.
  expect((await postForm(alice.agent, `/board/posts/${postId}/delete`, {}, '/board')).status).toBe(303);
  expect((await org.get(`/board/threads/${threadId}`)).text).not.toContain('Posted at once.');
});
