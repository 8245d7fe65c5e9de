/**
 * The foundation over HTTP: the health check and the language switch.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { newAgent } from '../../helpers/http';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('/healthz answers 200 {"status":"ok"} when the database answers', async () => {
  const res = await request(t.app).get('/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok' });
});

function langCookie(res: request.Response): string | undefined {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('lang='));
}

test('/?lang=zh-CN renders the home page in Chinese and stores nothing (a GET changes no state)', async () => {
  const agent = newAgent(t.app);
  const res = await agent.get('/?lang=zh-CN');
  expect(res.status).toBe(200);
  expect(langCookie(res)).toBeUndefined();
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.text).toContain('<html lang="zh-CN">');
  expect(res.text).toContain('登录');
});

test('the language cookie is remembered on the next pages; Accept-Language decides without it', async () => {
  const agent = newAgent(t.app);
  const first = await agent.post('/language').type('form').send({ lang: 'zh-CN', next: '/login' });
  expect(first.status).toBe(303);
  expect(first.headers.location).toBe('/login');
  expect(langCookie(first)).toMatch(/^lang=zh-CN;/);
  const again = await agent.get('/register');
  expect(again.text).toContain('<html lang="zh-CN">');
  expect(again.text).toContain('注册');
  const english = await request(t.app).get('/login').set('Accept-Language', 'en-GB,en;q=0.9');
  expect(english.text).toContain('<html lang="en">');
  const chinese = await request(t.app).get('/login').set('Accept-Language', 'zh-CN,zh;q=0.9');
  expect(chinese.text).toContain('<html lang="zh-CN">');
});
