/**
 * The one body-parsing configuration, checked on every POST route the app has (read from the
 * router, so a new route is covered without touching this file): bodies that once froze the
 * process (`themes[10000000]=x` in a multipart form), nested and operator field names, too many
 * fields, an oversized field and a part without a name are refused with a 4xx (or the form shown
 * again) within a generous bound, as a signed-in user with a valid CSRF token, and nothing is stored.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { csrfFrom, login, newAgent, type Agent } from '../../helpers/http';
import { concretePath, makeFixtures, multipartBody, postRoutes, storedState, type Fixtures, type Part } from '../../helpers/hostile';

jest.setTimeout(240_000);

/** Generous: a refused body takes milliseconds; the frozen process took minutes. */
const BOUND_MS = 20_000;

let t: TestApp;
let fx: Fixtures;
beforeAll(async () => {
  t = await createTestApp();
  fx = await makeFixtures(t);
});
afterAll(async () => {
  await t.close();
});

const manyFields = Array.from({ length: 1000 }, (_v, i) => `f${i}=x`).join('&');

function urlencodedBodies(token: string): [string, string][] {
  const csrf = `_csrf=${encodeURIComponent(token)}`;
  return [
    ['huge array index', `${csrf}&themes[10000000]=innovation`],
    ['deep brackets', `${csrf}&a[b][c][d][e][f][g][h][i][j][k]=1`],
    ['operator key', `${csrf}&boothCount[$gt]=0`],
    ['too many fields', `${csrf}&${manyFields}`],
    ['oversized body', `${csrf}&title=${'x'.repeat(300 * 1024)}`],
  ];
}

const multipartCases: [string, Part[]][] = [
  ['huge array index', [{ name: 'themes[10000000]', value: 'innovation' }]],
  ['deep brackets', [{ name: 'a[b][c][d][e][f][g][h][i][j][k]', value: '1' }]],
  ['operator key', [{ name: 'boothCount[$gt]', value: '0' }]],
  ['too many fields', Array.from({ length: 1000 }, (_v, i) => ({ name: `f${i}`, value: 'x' }))],
  ['oversized field', [{ name: 'title', value: 'x'.repeat(300 * 1024) }]],
  ['part without a name', [{ value: 'innovation' }]],
];

async function expectRefused(agent: Agent, url: string, send: (a: Agent) => Promise<{ status: number }>, label: string) {
  const res = await send(agent);
  if (res.status < 400 || res.status >= 500) throw new Error(`${label} → POST ${url} answered ${res.status}`);
}

for (const role of ['member', 'organizer'] as const) {
  test(`every POST route refuses hostile bodies (as ${role}), quickly and storing nothing`, async () => {
    const routes = postRoutes(t.app);
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.map((r) => r.pattern)).toEqual(expect.arrayContaining(['/practices/new', '/fair/requests/new', '/fair/requests/:id/edit', '/login']));
    const agent = role === 'member' ? fx.memberAgent : fx.organizerAgent;
    const token = role === 'member' ? fx.memberToken : fx.organizerToken;
    for (const route of routes) {
      const url = concretePath(route.pattern, fx);
      const before = await storedState();
      for (const [label, body] of urlencodedBodies(token)) {
        await expectRefused(agent, url, (a) => a.post(url).type('form').timeout(BOUND_MS).send(body), `urlencoded ${label}`);
      }
      for (const [label, parts] of multipartCases) {
        const { contentType, payload } = multipartBody([...parts, { name: 'title', value: 'A title' }]);
        await expectRefused(
          agent,
          url,
          (a) => a.post(`${url}?_csrf=${encodeURIComponent(token)}`).set('Content-Type', contentType).timeout(BOUND_MS).send(payload),
          `multipart ${label}`,
        );
      }
      expect({ url, state: await storedState() }).toEqual({ url, state: before });
    }
    // Still signed in: /logout refused the bodies too.
    expect((await agent.get('/account')).status).toBe(200);
  });
}

test('the practice form with themes[10000000] comes back as the form, with the text kept', async () => {
  const { contentType, payload } = multipartBody([
    { name: 'title', value: 'Kept title' },
    { name: 'themes[10000000]', value: 'innovation' },
  ]);
  const res = await fx.memberAgent.post(`/practices/new?_csrf=${encodeURIComponent(fx.memberToken)}`).set('Content-Type', contentType).timeout(BOUND_MS).send(payload);
  expect([400, 422]).toContain(res.status);
  expect(res.text).toContain('value="Kept title"');
  expect(res.text).toContain('The form could not be read');
});

test('a multipart part without a name on /practices/new is a 4xx with the form again', async () => {
  const { contentType, payload } = multipartBody([{ name: 'title', value: 'Nameless neighbour' }, { value: 'orphan' }]);
  const res = await fx.memberAgent.post(`/practices/new?_csrf=${encodeURIComponent(fx.memberToken)}`).set('Content-Type', contentType).send(payload);
  expect([400, 422]).toContain(res.status);
  expect(res.text).toContain('<form');
  expect(res.text).toContain('value="Nameless neighbour"');
  expect(res.text).toContain('The form could not be read');
});

test('boothCount[$gt]=0 on the booth request form and on the draft form is a 4xx with the form again', async () => {
  // A member without a request for the new form; the fixtures' member for its draft.
  const newcomer = await makeUser({ role: 'member', member: 'CN' });
  const newcomerAgent = newAgent(t.app);
  await login(newcomerAgent, newcomer.email, newcomer.password);
  const newcomerToken = csrfFrom((await newcomerAgent.get('/account')).text);
  for (const [agent, token, url] of [
    [newcomerAgent, newcomerToken, '/fair/requests/new'],
    [fx.memberAgent, fx.memberToken, `/fair/requests/${fx.ids.fairDraft}/edit`],
  ] as const) {
    const before = await storedState();
    const { contentType, payload } = multipartBody([
      { name: 'contactName', value: 'Li Wei' },
      { name: 'boothCount[$gt]', value: '0' },
      { name: 'intent', value: 'submit' },
    ]);
    const res = await agent.post(`${url}?_csrf=${encodeURIComponent(token)}`).set('Content-Type', contentType).send(payload);
    expect([400, 422]).toContain(res.status);
    expect(res.text).toContain('<form');
    expect(res.text).toContain('value="Li Wei"');
    expect(await storedState()).toEqual(before);
  }
});

test('a multipart body on a route without a file field is refused instead of running with no fields', async () => {
  const url = `/board/threads/${fx.ids.thread}/subscribe`;
  const before = await storedState();
  const { contentType, payload } = multipartBody([{ name: 'x', value: '1' }]);
  const res = await fx.memberAgent.post(`${url}?_csrf=${encodeURIComponent(fx.memberToken)}`).set('Content-Type', contentType).send(payload);
  expect(res.status).toBe(415);
  expect(await storedState()).toEqual(before);
});
