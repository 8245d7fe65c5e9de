/**
 * The anonymous readers' page cache (src/web/page-cache.ts) on a small Express app with a clock the
 * test moves: a page is rendered once per interval per address and language; a reader with the
 * session cookie, a non-GET, a non-200 answer and an answer that sets a cookie are never served
 * from it; an expired page is rendered again by one request while the others get the old copy.
 */
import express from 'express';
import cookieParser from 'cookie-parser';
import request from 'supertest';
import { pageCache } from '../../../src/web/page-cache';

function appWith(ttlMs: number) {
  let clock = 0;
  let renders = 0;
  let release: (() => void) | null = null;
  const cache = pageCache({ ttlMs, sessionCookie: 'sid', now: () => clock });
  const app = express();
  app.use(cookieParser());
  app.use(cache);
  app.get('/page', (req, res) => {
    renders++;
    res.type('html').send(`<p>render ${renders}</p>`);
  });
  app.get('/slow', (req, res) => {
    renders++;
    const n = renders;
    release = () => res.type('html').send(`<p>slow ${n}</p>`);
  });
  app.get('/form', (req, res) => {
    renders++;
    res.cookie('sid', 'new-session').type('html').send(`<p>form ${renders}</p>`);
  });
  app.get('/missing', (req, res) => {
    renders++;
    res.status(404).type('html').send('<p>not here</p>');
  });
  app.get('/json', (req, res) => {
    renders++;
    res.json({ renders });
  });
  return {
    app,
    cache,
    tick: (ms: number) => (clock += ms),
    renders: () => renders,
    release: () => release?.(),
  };
}

test('a page is rendered once per interval, per address and language', async () => {
  const t = appWith(1000);
  expect((await request(t.app).get('/page')).text).toBe('<p>render 1</p>');
  const again = await request(t.app).get('/page');
  expect(again.text).toBe('<p>render 1</p>');
  expect(again.headers['content-type']).toMatch(/^text\/html/);
  expect((await request(t.app).get('/page?lang=zh-CN')).text).toBe('<p>render 2</p>');
  expect((await request(t.app).get('/page').set('accept-language', 'zh-CN')).text).toBe('<p>render 3</p>');
  expect((await request(t.app).get('/page').set('accept-language', 'zh-CN,zh;q=0.9')).text).toBe('<p>render 3</p>');
  t.tick(999);
  expect((await request(t.app).get('/page')).text).toBe('<p>render 1</p>');
  t.tick(1);
  expect((await request(t.app).get('/page')).text).toBe('<p>render 4</p>');
  expect(t.cache.size).toBe(3);
});

test('signed-in readers, answers that set a cookie, errors and non-HTML are never cached', async () => {
  const t = appWith(60_000);
  await request(t.app).get('/page');
  expect((await request(t.app).get('/page').set('cookie', 'lang=en; sid=abc')).text).toBe('<p>render 2</p>');
  expect((await request(t.app).get('/page').set('cookie', 'lang=en')).text).toBe('<p>render 1</p>');
  await request(t.app).get('/form');
  expect((await request(t.app).get('/form')).text).toBe('<p>form 4</p>');
  await request(t.app).get('/missing');
  await request(t.app).get('/missing');
  await request(t.app).get('/json');
  expect((await request(t.app).get('/json')).body).toEqual({ renders: 8 });
  expect(t.renders()).toBe(8);
  expect(t.cache.size).toBe(1);
});

test('an expired page is rendered again by one request while the others get the old copy', async () => {
  const t = appWith(1000);
  const first = request(t.app).get('/slow');
  const firstDone = first.then((r) => r.text);
  await new Promise((r) => setTimeout(r, 50));
  t.release();
  expect(await firstDone).toBe('<p>slow 1</p>');
  t.tick(1000);
  const renewing = request(t.app).get('/slow').then((r) => r.text);
  await new Promise((r) => setTimeout(r, 50));
  // Meanwhile: the old copy, no second render.
  expect((await request(t.app).get('/slow')).text).toBe('<p>slow 1</p>');
  expect(t.renders()).toBe(2);
  t.release();
  expect(await renewing).toBe('<p>slow 2</p>');
  expect((await request(t.app).get('/slow')).text).toBe('<p>slow 2</p>');
});

test('a cached page keeps its ETag: an unchanged copy gets 304', async () => {
  const t = appWith(60_000);
  const first = await request(t.app).get('/page');
  const etag = first.headers.etag as string;
  expect(etag).toBeDefined();
  const cached = await request(t.app).get('/page');
  expect(cached.headers.etag).toBe(etag);
  expect((await request(t.app).get('/page').set('if-none-match', etag)).status).toBe(304);
  expect(t.renders()).toBe(1);
});

test('a zero interval caches nothing', async () => {
  const t = appWith(0);
  await request(t.app).get('/page');
  expect((await request(t.app).get('/page')).text).toBe('<p>render 2</p>');
  expect(t.cache.size).toBe(0);
});
