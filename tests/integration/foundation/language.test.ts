/**
 * The language switcher: a small POST form in every page header (works without JavaScript) that
 * stores the choice in a cookie and returns to the same page; `?lang=` only shows a page in a
 * language. Cross-site posts and foreign return addresses are refused.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { newAgent } from '../../helpers/http';

jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const cookiesOf = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);

test('every page has the switcher form: POST /language with the page to return to, no link that changes state', async () => {
  const res = await request(t.app).get('/practices?theme=innovation&lang=en');
  expect(res.text).toMatch(/<form method="post" action="\/language"/);
  expect(res.text).toContain('<input type="hidden" name="next" value="/practices?theme=innovation">');
  expect(res.text).toMatch(/<button type="submit" name="lang" value="zh-CN" lang="zh-CN"/);
  expect(res.text).not.toMatch(/href="[^"]*[?&]lang=/);
});

test('switching sets the cookie and returns to the page, which is then in that language', async () => {
  const agent = newAgent(t.app);
  const res = await agent.post('/language').type('form').send({ lang: 'zh-CN', next: '/fair?x=1' });
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/fair?x=1');
  expect(cookiesOf(res).join(';')).toMatch(/lang=zh-CN; .*HttpOnly/);
  expect((await agent.get('/fair')).text).toContain('<html lang="zh-CN">');
  // And back, from a Chinese page.
  await agent.post('/language').type('form').send({ lang: 'en', next: '/fair' });
  expect((await agent.get('/fair')).text).toContain('<html lang="en">');
});

test('a ?lang= link shows the page in that language and sets nothing', async () => {
  const res = await request(t.app).get('/board?lang=zh-CN');
  expect(res.text).toContain('<html lang="zh-CN">');
  expect(cookiesOf(res)).toEqual([]);
});

test('foreign return addresses go home; unknown languages change nothing; cross-site posts are refused', async () => {
  for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '']) {
    const res = await request(t.app).post('/language').type('form').send({ lang: 'en', next });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  }
  const unknown = await request(t.app).post('/language').type('form').send({ lang: 'xx', next: '/fair' });
  expect(unknown.headers.location).toBe('/fair');
  expect(cookiesOf(unknown)).toEqual([]);
  const crossSite = await request(t.app).post('/language').set('Sec-Fetch-Site', 'cross-site').type('form').send({ lang: 'zh-CN', next: '/' });
  expect(crossSite.status).toBe(403);
  expect(cookiesOf(crossSite).join(';')).not.toMatch(/lang=/);
  const foreignOrigin = await request(t.app).post('/language').set('Origin', 'https://evil.example').type('form').send({ lang: 'zh-CN', next: '/' });
  expect(foreignOrigin.status).toBe(403);
  const sameOrigin = await request(t.app).post('/language').set('Sec-Fetch-Site', 'same-origin').type('form').send({ lang: 'zh-CN', next: '/' });
  expect(cookiesOf(sameOrigin).join(';')).toMatch(/lang=zh-CN/);
});
