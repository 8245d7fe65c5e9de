/**
 * The board's services against the database, without HTTP: who may reply when, nothing stored on
 * refusal, the posting limit only for new accounts, one e-mail per subscriber even when replies
 * race, signed unsubscribe tokens, the category seed and the organizer-only operations.
 */
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { User } from '../../../src/modules/accounts/model';
import { toActor } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { ConflictError, ForbiddenError, NotFoundError, TooManyRequestsError, ValidationError } from '../../../src/kernel';
import type { RateLimiter } from '../../../src/web/rate-limit';
import { BoardCategory, BoardPost, BoardSubscription, BoardThread } from '../../../src/modules/board/model';
import { seedCategories, DEFAULT_CATEGORIES } from '../../../src/modules/board/categories';
import { createBoardService, type BoardDeps } from '../../../src/modules/board/services';
import { notifySubscribers, readUnsubscribeToken, unsubscribeToken } from '../../../src/modules/board/subscriptions';
import { recordingMailer } from '../../helpers/mail';

jest.setTimeout(60_000);

let t: TestApp;
let alice: Actor;
let bob: Actor;
let carol: Actor;
let organizer: Actor;
const { mailer: fakeMailer, sent } = recordingMailer();
const NOW = new Date('2026-06-01T12:00:00Z');
const deps = (extra: Partial<BoardDeps> = {}): BoardDeps => ({ clock: () => NOW, mailer: fakeMailer, baseUrl: 'http://portal.test', secret: 'unit-secret', ...extra });
const board = createBoardService(deps());

async function actorOf(opts: Parameters<typeof makeUser>[0]): Promise<Actor> {
  const made = await makeUser(opts);
  return toActor((await User.findById(made.id).lean()) as never);
}

beforeAll(async () => {
  t = await createTestApp();
  const old = new Date('2026-01-01T00:00:00Z');
  alice = await actorOf({ name: 'Alice', createdAt: old });
  bob = await actorOf({ name: 'Bob', createdAt: old, language: 'zh-CN' });
  carol = await actorOf({ name: 'Carol', createdAt: old });
  organizer = await actorOf({ role: 'organizer', name: 'Org', createdAt: old });
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  sent.length = 0;
});

test('replies to locked or hidden threads are refused and leave no trace', async () => {
  const thread = await board.createThread(alice, 'general', { title: 'Rules', body: 'Read them' });
  await board.moderateThread(organizer, String(thread._id), { action: 'lock' });
  await expect(board.reply(bob, String(thread._id), { body: 'no' })).rejects.toMatchObject({ messageKey: 'board:errors.locked' });
  await expect(board.reply(bob, String(thread._id), { body: 'no' })).rejects.toBeInstanceOf(ConflictError);
  await board.moderateThread(organizer, String(thread._id), { action: 'unlock' });
  await board.moderateThread(organizer, String(thread._id), { action: 'hide', reason: 'Off topic' });
  await expect(board.reply(bob, String(thread._id), { body: 'no' })).rejects.toBeInstanceOf(NotFoundError);
  await expect(board.reply(organizer, String(thread._id), { body: 'no' })).rejects.toMatchObject({ messageKey: 'board:errors.hiddenThread' });
  expect(await BoardPost.countDocuments({ thread: thread._id })).toBe(1);
  expect((await BoardThread.findById(thread._id).lean())).toMatchObject({ postCount: 1, replyCount: 0 });
  expect(await BoardPost.countDocuments({ thread: thread._id, threadHidden: true })).toBe(1);
});

test('a body with nothing left after sanitising is a field error, and nothing is stored', async () => {
  const threads = await BoardThread.countDocuments();
  await expect(board.createThread(alice, 'general', { title: 'x', body: '<script>alert(1)</script><style>p{}</style>' })).rejects.toBeInstanceOf(ValidationError);
  expect(await BoardThread.countDocuments()).toBe(threads);
  await expect(board.createThread(alice, 'no-such-category', { title: 'x', body: 'y' })).rejects.toBeInstanceOf(NotFoundError);
});

test('the posting limit counts only accounts younger than seven days', async () => {
  const calls: string[] = [];
  const limiter: RateLimiter = {
    consume: async (key) => {
      calls.push(key);
      if (calls.length > 1) throw new TooManyRequestsError(60);
    },
    reset: async () => undefined,
    middleware: () => (_req, _res, next) => next(),
  };
  const limited = createBoardService(deps({ postingLimiter: limiter }));
  const fresh = await actorOf({ name: 'Fresh', createdAt: new Date(NOW.getTime() - 24 * 3600 * 1000) });
  const thread = await limited.createThread(fresh, 'general', { title: 'Hi', body: 'New here' });
  await expect(limited.reply(fresh, String(thread._id), { body: 'again' })).rejects.toBeInstanceOf(TooManyRequestsError);
  expect(calls).toEqual([fresh.id, fresh.id]);
  expect(await BoardPost.countDocuments({ thread: thread._id })).toBe(1);
  await limited.reply(alice, String(thread._id), { body: 'old account' });
  expect(calls).toHaveLength(2);
});

test('two replies at once send one e-mail per subscriber; the replier and suspended users get none', async () => {
  const thread = await board.createThread(alice, 'general', { title: 'Race', body: 'Go' });
  await BoardSubscription.create({ user: new Types.ObjectId(bob.id), thread: thread._id, createdAt: NOW });
  const suspended = await actorOf({ name: 'Gone', status: 'suspended' });
  await BoardSubscription.create({ user: new Types.ObjectId(suspended.id), thread: thread._id, createdAt: NOW });
  const post = { _id: new Types.ObjectId(), body: 'Hello **all**', author: new Types.ObjectId(carol.id), authorName: 'Carol' };
  const counts = await Promise.all([notifySubscribers(deps(), thread, post), notifySubscribers(deps(), thread, post)]);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
  expect(sent.map((m) => m.to.email).sort()).toEqual([alice.email, bob.email].sort());
  const toBob = sent.find((m) => m.to.email === bob.email)!;
  expect(toBob.to.language).toBe('zh-CN');
  // The e-mail names the thread and the replier, never the reply's text (it may be hidden before it is sent).
  expect(JSON.stringify(toBob.content)).not.toContain('Hello');
  const token = new URL(toBob.content.unsubscribeUrl!).searchParams.get('token');
  expect(readUnsubscribeToken('unit-secret', token)).toEqual({ userId: bob.id, threadId: String(thread._id) });

  // Bob is the replier now: the others are disarmed, Bob himself is never mailed about his own reply.
  sent.length = 0;
  await notifySubscribers(deps(), thread, { ...post, author: new Types.ObjectId(bob.id), authorName: 'Bob' });
  expect(sent).toHaveLength(0);
});

test('unsubscribe tokens: signed per user and thread', () => {
  const user = new Types.ObjectId().toHexString();
  const thread = new Types.ObjectId().toHexString();
  const token = unsubscribeToken('s1', user, thread);
  expect(readUnsubscribeToken('s1', token)).toEqual({ userId: user, threadId: thread });
  expect(readUnsubscribeToken('s2', token)).toBeNull();
  expect(readUnsubscribeToken('s1', token.replace(user, new Types.ObjectId().toHexString()))).toBeNull();
  expect(readUnsubscribeToken('s1', `${token}.x`)).toBeNull();
  expect(readUnsubscribeToken('s1', { $ne: null })).toBeNull();
});

test('quote and edit: a reply keeps a reference to the quoted post; only the author edits', async () => {
  const thread = await board.createThread(alice, 'general', { title: 'Quote me', body: 'Line one\n\nLine two' });
  const opening = await BoardPost.findOne({ thread: thread._id }).lean();
  const quoting = await board.reply(bob, String(thread._id), { body: 'Agreed', quote: String(opening!._id) });
  expect(String(quoting.quote)).toBe(String(opening!._id));
  expect(quoting.body).toBe('Agreed');
  const other = await board.createThread(alice, 'general', { title: 'Elsewhere', body: 'Other' });
  await expect(board.reply(bob, String(other._id), { body: 'x', quote: String(opening!._id) })).rejects.toBeInstanceOf(ValidationError); // not of this thread
  await expect(board.editPost(bob, String(opening!._id), { body: 'hijack', title: 'hijack' })).rejects.toBeInstanceOf(NotFoundError);
  await expect(board.editPost(alice, String(opening!._id), { body: 'new body' })).rejects.toBeInstanceOf(ValidationError); // the opening post needs its title
  const edited = await board.editPost(alice, String(opening!._id), { body: 'new body', title: 'Quote me, edited' });
  expect(edited.editedAt).toEqual(NOW);
  expect((await BoardThread.findById(thread._id).lean())!.title).toBe('Quote me, edited');
});

test('categories: the seed never runs over existing ones; only the organizer manages them', async () => {
  expect(await seedCategories(deps())).toBe(0);
  expect(await BoardCategory.countDocuments()).toBe(DEFAULT_CATEGORIES.length);
  const input = { slug: 'unit-cat', nameEn: 'Unit', nameZh: '单元', descriptionEn: 'd', descriptionZh: '说明' };
  await expect(board.createCategory(alice, input)).rejects.toBeInstanceOf(ForbiddenError);
  const created = await board.createCategory(organizer, input);
  await expect(board.createCategory(organizer, input)).rejects.toBeInstanceOf(ValidationError);
  await board.moveCategory(organizer, String(created._id), 'up');
  await board.moveCategory(organizer, String(created._id), 'up');
  const order = (await BoardCategory.find().sort({ position: 1 }).lean()).map((c) => c.slug);
  expect(order.indexOf('unit-cat')).toBe(DEFAULT_CATEGORIES.length - 2);
  await board.moveCategory(organizer, String((await BoardCategory.findOne({ slug: 'general' }).lean())!._id), 'up'); // already first: no change
  expect((await BoardCategory.find().sort({ position: 1 }).lean())[0]!.slug).toBe('general');
});
