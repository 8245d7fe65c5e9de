import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { memberWithAgent, organizerAgent, seededEdition, submitRequest } from './helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('pages render', async () => {
  const res = await request(t.app).get('/fair');
  expect(res.status).toBe(200);
  const { agent } = await memberWithAgent(t.app);
  const form = await agent.get('/fair/requests/new');
  expect(form.status).toBe(200);
  const id = await submitRequest(agent);
  const page = await agent.get(`/fair/requests/${id}`);
  expect(page.status).toBe(200);
  const org = await organizerAgent(t.app);
  const e = await seededEdition();
  for (const p of ['/admin/fair', `/admin/fair/editions/${e._id}`, `/admin/fair/editions/${e._id}/booths`, `/admin/fair/requests/${id}`, `/admin/fair/editions/${e._id}/catalogue`, `/admin/fair/editions/${e._id}/edit`, '/admin/fair/editions/new', '/admin/fair/editions']) {
    const r = await org.get(p).redirects(1);
    if (r.status !== 200) console.log(p, r.status, r.text.slice(0, 3000));
    expect(r.status).toBe(200);
  }
});
