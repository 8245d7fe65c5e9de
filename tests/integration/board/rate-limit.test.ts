/**
 * Accounts younger than seven days have a posting rate limit (threads and replies together, keyed
 * by the user); a readable 429 page, nothing stored; older accounts are not limited.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { postForm } from '../../helpers/http';
import { BoardPost, BoardThread } from '../../../src/modules/board/model';
import { person, replyTo, startThread, type Person } from './helpers';

// Logins hash passwords with argon2 and the machine is shared: give hooks and tests room.
jest.setTimeout(60_000);

let t: TestApp;
let newcomer: Person;
let veteran: Person;

beforeAll(async () => {
  t = await createTestApp({ rateLimits: { posting: { points: 3, durationSeconds: 600 } } });
  newcomer = await person(t, { name: 'New Nina', createdAt: new Date(Date.now() - 2 * 24 * 3600 * 1000) });
  veteran = await person(t, { name: 'Old Oskar', createdAt: new Date(Date.now() - 30 * 24 * 3600 * 1000) });
});
afterAll(async () => {
  await t.close();
});

test('a new account may post a few times, then gets a readable 429 and nothing is stored', async () => {
  const threadId = await startThread(newcomer.agent, 'general', 'Hello from a newcomer', 'First post');
  await replyTo(newcomer.agent, threadId, 'Second post');
  await replyTo(newcomer.agent, threadId, 'Third post');
  const posts = await BoardPost.countDocuments({ thread: threadId });

  const reply = await postForm(newcomer.agent, `/board/threads/${threadId}/reply`, { body: 'Fourth post' }, `/board/threads/${threadId}`);
  expect(reply.status).toBe(429);
  expect(reply.headers['retry-after']).toMatch(/^\d+$/);
  expect(reply.text).toContain('Too many attempts. Please wait about');
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(posts);
  expect((await BoardThread.findById(threadId).lean())!.replyCount).toBe(2);

  const threads = await BoardThread.countDocuments();
  const thread = await postForm(newcomer.agent, '/board/general/new', { title: 'Another', body: 'More' }, '/board/general/new');
  expect(thread.status).toBe(429);
  expect(await BoardThread.countDocuments()).toBe(threads);

  // Invalid input does not use up the allowance: it is refused as a form error first.
  const invalid = await postForm(newcomer.agent, `/board/threads/${threadId}/reply`, { body: '' }, `/board/threads/${threadId}`);
  expect(invalid.status).toBe(422);
});

test('an account older than seven days is not limited', async () => {
  const threadId = await startThread(veteran.agent, 'general', 'Veteran thread', 'Post 1');
  for (let i = 2; i <= 6; i++) await replyTo(veteran.agent, threadId, `Post ${i}`);
  expect(await BoardPost.countDocuments({ thread: threadId })).toBe(6);
});
