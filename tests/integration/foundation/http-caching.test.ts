/**
 * HTTP-level costs: anonymous readers leave the session store alone, unchanged pages answer 304,
 * pages are compressed for browsers that accept it, hashed static files are cached for good, and
 * the translation table answers exactly what i18next answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { login, newAgent } from '../../helpers/http';
import { i18n, translator } from '../../../src/web/i18n';
import { SESSION_COOKIE } from '../../../src/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const sessions = () => mongoose.connection.db!.collection('sessions').countDocuments();

test('anonymous readers of list pages get no session cookie and store no session', async () => {
  const before = await sessions();
  for (const page of ['/', '/fair', '/practices', '/board', '/members', '/members/CN', '/practices?q=export']) {
    const res = await request(t.app).get(page);
    expect(res.status).toBe(200);
    expect((res.headers['set-cookie'] as unknown as string[] | undefined)?.some((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? false).toBe(false);
  }
  expect(await sessions()).toBe(before);
});

test('an unchanged page answers 304 to its ETag; a changed one answers 200', async () => {
  const first = await request(t.app).get('/practices');
  const etag = first.headers.etag as string;
  expect(etag).toMatch(/^W\/"/);
  const again = await request(t.app).get('/practices').set('If-None-Match', etag);
  expect(again.status).toBe(304);
  expect(again.text ?? '').toBe('');
  const otherLanguage = await request(t.app).get('/practices?lang=zh-CN').set('If-None-Match', etag);
  expect(otherLanguage.status).toBe(200);
});

test('pages are compressed (brotli or gzip) when the browser accepts it, and plain otherwise', async () => {
  const br = await request(t.app).get('/board').set('Accept-Encoding', 'br, gzip').buffer(true).parse((res, cb) => {
    res.on('data', () => undefined);
    res.on('end', () => cb(null, null));
  });
  expect(br.headers['content-encoding']).toBe('br');
  expect(br.headers.vary).toMatch(/Accept-Encoding/i);
  const gzip = await request(t.app).get('/board').set('Accept-Encoding', 'gzip');
  expect(gzip.headers['content-encoding']).toBe('gzip');
  expect(gzip.text).toContain('</html>'); // supertest inflates gzip
  const plain = await request(t.app).get('/board').set('Accept-Encoding', 'identity');
  expect(plain.headers['content-encoding']).toBeUndefined();
});

test('the layout links static files with their content hash, cached for a year; an old hash is not', async () => {
  const page = await request(t.app).get('/');
  const css = /href="(\/public\/css\/site\.css\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
  const js = /src="(\/public\/js\/site\.js\?v=[0-9a-f]{12})"/.exec(page.text)?.[1];
  expect(css).toBeDefined();
  expect(js).toBeDefined();
  for (const url of [css!, js!]) {
    const res = await request(t.app).get(url);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  }
  const stale = await request(t.app).get('/public/css/site.css?v=000000000000');
  expect(stale.status).toBe(200);
  expect(stale.headers['cache-control']).not.toMatch(/immutable/);
});

test('every template links static files through the asset helper, so each carries its content hash', async () => {
  const viewsDir = path.resolve(__dirname, '../../../views');
  const bare: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ejs')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const m of text.matchAll(/(?:src|href)="\/public\/[^"]*"/g)) bare.push(`${path.relative(viewsDir, full)}: ${m[0]}`);
      }
    }
  };
  walk(viewsDir);
  expect(bare).toEqual([]);
  // A page script, as the browser gets it: hashed and cached for good.
  const fair = await request(t.app).get('/fair');
  const script = /src="(\/public\/js\/fair-plan\.js\?v=[0-9a-f]{12})"/.exec(fair.text)?.[1];
  expect(script).toBeDefined();
  const res = await request(t.app).get(script!);
  expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
});

test('signed-in pages still work with the session (sign in, page, sign out)', async () => {
  const agent = newAgent(t.app);
  await login(agent, ORGANIZER.email, ORGANIZER.password);
  const res = await agent.get('/account');
  expect(res.status).toBe(200);
  expect(res.text).toContain(ORGANIZER.email);
});

test('the translation table answers what i18next answers, in both languages, for every plain key', () => {
  const instance = i18n();
  for (const lang of ['en', 'zh-CN'] as const) {
    const fast = translator(lang);
    const reference = instance.getFixedT(lang);
    const namespaces = Object.keys(instance.store.data[lang] ?? {});
    let checked = 0;
    const walk = (ns: string, prefix: string, node: unknown) => {
      if (typeof node === 'string') {
        const key = `${ns}:${prefix}`;
        // Twice: the first fills the table, the second reads it.
        expect(fast(key)).toBe(reference(key));
        expect(fast(key)).toBe(reference(key));
        checked++;
        return;
      }
      if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(ns, prefix ? `${prefix}.${k}` : k, v);
    };
    for (const ns of namespaces) walk(ns, '', instance.store.data[lang]![ns]);
    expect(checked).toBeGreaterThan(100);
    // Options still reach i18next (interpolation, plurals).
    expect(fast('common:siteName')).toBe(reference('common:siteName'));
    expect(fast('errors:notFound.title', { count: 2 })).toBe(reference('errors:notFound.title', { count: 2 }));
  }
});
