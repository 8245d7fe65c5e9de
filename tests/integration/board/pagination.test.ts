/**
 * Pagination with hundreds of posts and threads (inserted straight through the models for speed):
 * page boundaries, post links landing on the right page, and thread lists with pinned threads first.
 */
import request from 'supertest';
import { Types, trusted } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { BoardCategory, BoardPost, BoardThread } from '../../../src/modules/board/model';

// Logins hash passwords with argon2 and the machine is shared: give hooks and tests room.
jest.setTimeout(60_000);

let t: TestApp;
let threadId: Types.ObjectId;
const postIds: string[] = [];
const TOTAL = 250;
const base = new Date('2026-03-01T00:00:00Z').getTime();

beforeAll(async () => {
  t = await createTestApp();
  const author = await makeUser({ name: 'Pager' });
  const category = await BoardCategory.findOne({ slug: 'business-opportunities' }).lean();
  const thread = await BoardThread.create({
    category: category!._id,
    title: 'A very long thread',
    author: author.id,
    authorName: 'Pager',
    createdAt: new Date(base),
    lastActivityAt: new Date(base + TOTAL * 60_000),
    lastPosterName: 'Pager',
    postCount: TOTAL,
    replyCount: TOTAL - 1,
  });
  threadId = thread._id;
  const docs = Array.from({ length: TOTAL }, (_, i) => ({
    _id: new Types.ObjectId(),
    thread: thread._id,
    category: category!._id,
    number: i + 1,
    author: new Types.ObjectId(author.id),
    authorName: 'Pager',
    body: `Post number ${i + 1}`,
    html: `<p>Post number ${i + 1}.</p>`,
    createdAt: new Date(base + i * 60_000),
  }));
  await BoardPost.insertMany(docs);
  postIds.push(...docs.map((d) => String(d._id)));

  // 45 threads in one category for the list's pages, two of them pinned (and old).
  const financing = await BoardCategory.findOne({ slug: 'financing' }).lean();
  await BoardThread.insertMany(
    Array.from({ length: 45 }, (_, i) => ({
      category: financing!._id,
      title: `Financing thread ${String(i + 1).padStart(2, '0')}`,
      author: new Types.ObjectId(author.id),
      authorName: 'Pager',
      createdAt: new Date(base + i * 3_600_000),
      lastActivityAt: new Date(base + i * 3_600_000),
      lastPosterName: 'Pager',
      postCount: 1,
      replyCount: 0,
      pinned: i < 2,
    })),
  );
});
afterAll(async () => {
  await t.close();
});

const shown = (html: string) => [...html.matchAll(/<p>Post number (\d+)\.<\/p>/g)].map((m) => Number(m[1]));

test('posts come 20 to a page, in order, with exact boundaries', async () => {
  const first = await request(t.app).get(`/board/threads/${threadId}`);
  expect(first.status).toBe(200);
  expect(shown(first.text)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(first.text).toContain('Page 1 of 13');
  expect(first.text).toContain(`href="/board/threads/${threadId}?page=2" rel="next"`);

  const seventh = await request(t.app).get(`/board/threads/${threadId}?page=7`);
  expect(shown(seventh.text)).toEqual(Array.from({ length: 20 }, (_, i) => 121 + i));

  const last = await request(t.app).get(`/board/threads/${threadId}?page=13`);
  expect(shown(last.text)).toEqual(Array.from({ length: 10 }, (_, i) => 241 + i));
  expect(last.text).not.toContain('rel="next"');

  const beyond = await request(t.app).get(`/board/threads/${threadId}?page=14`);
  expect(beyond.status).toBe(200);
  expect(shown(beyond.text)).toEqual([]);
  const junk = await request(t.app).get(`/board/threads/${threadId}?page=abc`);
  expect(shown(junk.text)[0]).toBe(1);
});

test('a link to a post lands on its page, at its anchor', async () => {
  const cases: [number, number][] = [
    [1, 1],
    [20, 1],
    [21, 2],
    [123, 7],
    [240, 12],
    [250, 13],
  ];
  for (const [n, page] of cases) {
    const res = await request(t.app).get(`/board/posts/${postIds[n - 1]}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/board/threads/${threadId}${page > 1 ? `?page=${page}` : ''}#post-${postIds[n - 1]}`);
  }
  const page7 = await request(t.app).get(`/board/threads/${threadId}?page=7`);
  expect(page7.text).toContain(`id="post-${postIds[122]}"`);
});

test('hidden posts leave the count for readers, and links skip them', async () => {
  // Hide posts 1..20 for everyone but the organizer: post 21 moves to page 1.
  await BoardPost.updateMany({ thread: threadId, number: trusted({ $lte: 20 }) }, { $set: { hidden: true, hiddenReason: 'test' } });
  try {
    const res = await request(t.app).get(`/board/posts/${postIds[20]}`);
    expect(res.headers.location).toBe(`/board/threads/${threadId}#post-${postIds[20]}`);
    const first = await request(t.app).get(`/board/threads/${threadId}`);
    expect(shown(first.text)[0]).toBe(21);
    expect(first.text).toContain('Page 1 of 12');
    expect((await request(t.app).get(`/board/posts/${postIds[0]}`)).status).toBe(404);
  } finally {
    await BoardPost.updateMany({ thread: threadId }, { $set: { hidden: false, hiddenReason: '' } });
  }
});

test('thread lists: pinned first, then latest activity, 20 to a page', async () => {
  const titles = (html: string) => [...html.matchAll(/>(Financing thread \d\d)</g)].map((m) => m[1]);
  const p1 = titles((await request(t.app).get('/board/financing')).text);
  expect(p1).toHaveLength(20);
  // Pinned 01 and 02 (the two oldest) on top, newest first after them.
  expect(p1.slice(0, 2).sort()).toEqual(['Financing thread 01', 'Financing thread 02']);
  expect(p1.slice(2, 5)).toEqual(['Financing thread 45', 'Financing thread 44', 'Financing thread 43']);
  const p2 = titles((await request(t.app).get('/board/financing?page=2')).text);
  expect(p2[0]).toBe('Financing thread 27');
  const p3 = titles((await request(t.app).get('/board/financing?page=3')).text);
  expect(p3).toEqual(['Financing thread 07', 'Financing thread 06', 'Financing thread 05', 'Financing thread 04', 'Financing thread 03']);
  const overview = await request(t.app).get('/board');
  expect(overview.text).toContain('45 threads');
});
