/**
 * The anonymous readers' page cache on the real app (PAGE_CACHE_MS set long for the test): an
 * anonymous reader gets the page as it was rendered within the interval, a signed-in reader always
 * gets it fresh, and the login page (a form: it starts a session for its token) is never shared.
 */
import request from 'supertest';
import { Types } from 'mongoose';
import { createTestApp, type TestApp } from '../../helpers/app';
import { BoardThread } from '../../../src/modules/board/model';
import { person, startThread, type Person } from '../board/helpers';

jest.setTimeout(60_000);

let t: TestApp;
let alice: Person;

beforeAll(async () => {
  t = await createTestApp({ env: { PAGE_CACHE_MS: '60000' } });
  alice = await person(t, { name: 'Alice Cache' });
});
afterAll(async () => {
  await t.close();
});

test('anonymous readers share a page for the interval; signed-in readers always see it fresh', async () => {
  const id = await startThread(alice.agent, 'general', 'Cached title one', 'Opening');
  const first = await request(t.app).get('/board/general');
  expect(first.status).toBe(200);
  expect(first.text).toContain('Cached title one');
  expect(first.headers['set-cookie']).toBeUndefined();
  // Changed behind the portal's back: only a fresh render can show it.
  await BoardThread.collection.updateOne({ _id: new Types.ObjectId(id) }, { $set: { title: 'Cached title two' } });
  const anonymous = await request(t.app).get('/board/general');
  expect(anonymous.text).toContain('Cached title one');
  expect(anonymous.text).not.toContain('Cached title two');
  const signedIn = await alice.agent.get('/board/general');
  expect(signedIn.text).toContain('Cached title two');
  // Another language is another page.
  expect((await request(t.app).get('/board/general?lang=zh-CN')).text).toContain('Cached title two');
});

test('the login page is never shared: each reader gets a session and a token of their own', async () => {
  const a = await request(t.app).get('/login');
  const b = await request(t.app).get('/login');
  expect(a.headers['set-cookie']).toBeDefined();
  expect(b.headers['set-cookie']).toBeDefined();
  const token = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token(a.text)).toBeDefined();
  expect(token(a.text)).not.toBe(token(b.text));
});
