/**
 * The member directory over HTTP: members by region with counts, a member's companies and
 * liaisons (no e-mail addresses, message links only for those allowed), public company pages,
 * 404 for unknown codes and ids, and hostile names shown escaped.
 */
import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app';
import { login, newAgent } from '../../helpers/http';
import { makeUser } from '../../helpers/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('/members lists the 45 ASEM members by region, with counts of listed companies', async () => {
  await makeUser({ member: 'VN', company: { name: 'Mekong Rice Mill' } });
  await makeUser({ member: 'VN', company: { name: 'Saigon Ceramics' } });
  await makeUser({ member: 'VN', verified: false, company: { name: 'Unconfirmed Co' } });
  const res = await request(t.app).get('/members');
  expect(res.status).toBe(200);
  expect(res.text).toContain('id="region-Asia"');
  expect(res.text).toContain('id="region-Europe"');
  const links = res.text.match(/href="\/members\/[A-Z0-9-]+"/g) ?? [];
  expect(links.length).toBe(45);
  expect(res.text).toMatch(/Viet Nam<\/a>\s*<span class="meta">2 companies<\/span>/);
  const asia = res.text.slice(res.text.indexOf('id="region-Asia"'), res.text.indexOf('id="region-Europe"'));
  expect(asia).toContain('/members/CN');
  expect(asia).not.toContain('/members/DE');

  const zh = await request(t.app).get('/members?lang=zh-CN');
  expect(zh.text).toContain('越南');
  expect(zh.text).toContain('亚洲');
});

test('/members/:code shows listed companies and liaisons without e-mail addresses; unknown codes are 404', async () => {
  const company = await makeUser({ member: 'TH', company: { name: 'Bangkok Silk', description: 'Hand-woven silk.' } });
  await makeUser({ member: 'TH', verified: false, company: { name: 'Hidden Silk' } });
  const liaison = await makeUser({ role: 'liaison', member: 'TH', name: 'Somchai P.', agency: 'Office of SME Promotion' });
  const res = await request(t.app).get('/members/th');
  expect(res.status).toBe(200);
  expect(res.text).toContain('Bangkok Silk');
  expect(res.text).toContain(`/companies/${company.companyId}`);
  expect(res.text).not.toContain('Hidden Silk');
  expect(res.text).toContain('Somchai P.');
  expect(res.text).toContain('Office of SME Promotion');
  expect(res.text).not.toContain(liaison.email);
  expect(res.text).not.toContain(company.email);
  // Anonymous readers get no message links.
  expect(res.text).not.toContain('/messages/new?to=');

  expect((await request(t.app).get('/members/XX')).status).toBe(404);
  expect((await request(t.app).get('/members/%3Cscript%3E')).status).toBe(404);
});

test('message links appear only for readers allowed to write to the liaison', async () => {
  const liaison = await makeUser({ role: 'liaison', member: 'MY', name: 'Aminah Y.' });
  const own = await makeUser({ member: 'MY' });
  const foreign = await makeUser({ member: 'FR' });
  const ownAgent = newAgent(t.app);
  await login(ownAgent, own.email, own.password);
  expect((await ownAgent.get('/members/MY')).text).toContain(`/messages/new?to=${liaison.id}`);
  const foreignAgent = newAgent(t.app);
  await login(foreignAgent, foreign.email, foreign.password);
  expect((await foreignAgent.get('/members/MY')).text).not.toContain('/messages/new?to=');
});

test('/companies/:id shows public fields only; unlisted, unknown and malformed ids are 404', async () => {
  const owner = await makeUser({ member: 'IT', company: { name: 'Murano Glass', website: 'https://murano.example.it', products: 'Glass beads', sector: 'creative', size: 'micro' } });
  const res = await request(t.app).get(`/companies/${owner.companyId}`);
  expect(res.status).toBe(200);
  expect(res.text).toContain('Murano Glass');
  expect(res.text).toContain('https://murano.example.it');
  expect(res.text).toContain('Glass beads');
  expect(res.text).toContain('Italy');
  expect(res.text).not.toContain(owner.email);

  const unlisted = await makeUser({ member: 'IT', verified: false, company: { name: 'Secret Glass' } });
  expect((await request(t.app).get(`/companies/${unlisted.companyId}`)).status).toBe(404);
  expect((await request(t.app).get('/companies/0123456789abcdef01234567')).status).toBe(404);
  expect((await request(t.app).get('/companies/not-an-id')).status).toBe(404);
});

test('hostile names are shown escaped on /members/:code and /companies/:id', async () => {
  const hostile = '<script>alert(1)</script>';
  const owner = await makeUser({ member: 'PL', name: hostile, company: { name: `${hostile} Sp. z o.o.`, description: `<img src=x onerror=alert(2)>`, products: '"><b>bold</b>' } });
  await makeUser({ role: 'liaison', member: 'PL', name: `${hostile} Nowak`, agency: '<iframe src=//evil>' });
  const member = await request(t.app).get('/members/PL');
  const company = await request(t.app).get(`/companies/${owner.companyId}`);
  for (const res of [member, company]) {
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  }
  expect(member.text).not.toContain('<iframe src=//evil>');
  expect(company.text).not.toContain('<img src=x');
  expect(company.text).not.toContain('<b>bold</b>');
});

test('/members/:code pages through many companies by name, in the reader’s collation, without overlap', async () => {
  // 65 listed companies of one member: three pages of 30. Names mixed in case, so a byte-order
  // sort (capitals first) would differ from the reader's collation.
  const names = Array.from({ length: 65 }, (_, i) => `${i % 2 ? 'alpha' : 'Beta'} Works ${String(i).padStart(2, '0')}`);
  for (const name of names) await makeUser({ member: 'BN', company: { name } });
  await makeUser({ member: 'BN', verified: false, company: { name: 'alpha Unlisted' } });
  const namesOn = (html: string) => [...html.matchAll(/<strong>((?:alpha|Beta) [^<]+)<\/strong>/g)].map((m) => m[1]!);
  const first = await request(t.app).get('/members/BN');
  expect(first.status).toBe(200);
  expect(first.text).toContain('(65)');
  expect(first.text).toContain('href="/members/BN?page=2"');
  const pages = [namesOn(first.text)];
  for (const n of [2, 3]) pages.push(namesOn((await request(t.app).get(`/members/BN?page=${n}`)).text));
  expect(pages.map((p) => p.length)).toEqual([30, 30, 5]);
  const expected = [...names].sort(new Intl.Collator('en').compare);
  expect(pages.flat()).toEqual(expected);
  expect(pages.flat()).not.toContain('alpha Unlisted');
  // Past the last page: no companies, a way back, still 200.
  const past = await request(t.app).get('/members/BN?page=9');
  expect(past.status).toBe(200);
  expect(namesOn(past.text)).toEqual([]);
  expect(past.text).toContain('href="/members/BN"');
});
