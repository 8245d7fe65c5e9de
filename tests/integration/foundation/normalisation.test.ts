/**
 * Form text is normalised once where bodies are parsed, url-encoded and multipart alike: a NUL or
 * a bidi override typed into a name or a title is never stored; a multi-line text keeps its lines.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { csrfFrom, login, newAgent, postForm } from '../../helpers/http';
import { multipartBody } from '../../helpers/hostile';
import { Company, User } from '../../../src/modules/accounts/model';
import { Practice } from '../../../src/modules/practices/model';

jest.setTimeout(60_000);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test('display and company names (url-encoded) are stored without NUL and without U+202E', async () => {
  const user = await makeUser({ role: 'member', member: 'DE' });
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  const profile = await postForm(agent, '/account', { section: 'profile', name: 'Anna\x00 \u202Enamreh', language: 'en' }, '/account');
  expect(profile.status).toBe(303);
  const company = await postForm(
    agent,
    '/account',
    { section: 'company', companyName: 'Acme\u202Egpj.exe\x00 GmbH', sector: 'manufacturing', size: 'small', description: 'First line\r\nsecond line\x00' },
    '/account',
  );
  expect(company.status).toBe(303);
  const stored = await User.findById(user.id).lean();
  expect(stored!.name).toBe('Anna namreh');
  const storedCompany = await Company.findById(user.companyId).lean();
  expect(storedCompany!.name).toBe('Acmegpj.exe GmbH');
  expect(storedCompany!.description).toBe('First line\nsecond line');
  const page = await agent.get('/account');
  expect(page.text).not.toMatch(/[\u0000\u202E]/);
});

test('a practice title (multipart) is stored without NUL and U+202E; its body keeps its lines', async () => {
  const user = await makeUser({ role: 'member', member: 'DE' });
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  const token = csrfFrom((await agent.get('/practices/new')).text);
  const { contentType, payload } = multipartBody([
    { name: 'kind', value: 'business' },
    { name: 'title', value: 'Vouchers\x00 for \u202Eclusters\u202C' },
    { name: 'summary', value: 'Short summary.' },
    { name: 'body', value: 'Para one.\r\n\r\nPara two\x00.' },
    { name: 'themes', value: 'innovation' },
    { name: 'language', value: 'en' },
    { name: 'organisation', value: 'Example\u2066 Works' },
    { name: 'intent', value: 'publish' },
  ]);
  const res = await agent.post(`/practices/new?_csrf=${encodeURIComponent(token)}`).set('Content-Type', contentType).send(payload);
  expect(res.status).toBe(303);
  const practice = await Practice.findOne({ author: user.id }).lean();
  expect(practice!.title).toBe('Vouchers for clusters');
  expect(practice!.organisation).toBe('Example Works');
  expect(practice!.body).toBe('Para one.\n\nPara two.');
});
