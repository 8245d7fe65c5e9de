/**
 * Hostile input, property-based (fast-check): every POST route of the app (read from the router)
 * gets generated bodies — deep brackets, huge indexes, operator keys, prototype keys, control and
 * bidi characters, wrong types, missing and repeated fields, nameless multipart parts, oversized
 * values — url-encoded and multipart, as an anonymous visitor and as signed-in users with valid
 * CSRF tokens. Whatever comes in: never a 5xx, never slower than a generous bound, and a refused
 * request (4xx) stores nothing (every stored document compared before and after).
 *
 * Bounded for CI: eight generated requests per route (about half a minute); `HOSTILE_RUNS=100`
 * searches longer.
 */
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../../helpers/app';
import { csrfFrom, newAgent, type Agent } from '../../helpers/http';
import { concretePath, makeFixtures, multipartBody, postRoutes, storedState, type Fixtures, type Part } from '../../helpers/hostile';

/** Generous: every answer here takes milliseconds; a frozen process took minutes. */
const BOUND_MS = 20_000;
const RUNS_PER_ROUTE = Number(process.env.HOSTILE_RUNS) || 8;

jest.setTimeout(180_000 + RUNS_PER_ROUTE * 60 * 1000);

let t: TestApp;
let fx: Fixtures;
let anonymous: { agent: Agent; token: string };
beforeAll(async () => {
  t = await createTestApp();
  fx = await makeFixtures(t);
  const agent = newAgent(t.app);
  anonymous = { agent, token: csrfFrom((await agent.get('/login')).text) };
});
afterAll(async () => {
  await t.close();
});

/** Names the portal's forms use, so generated bodies reach the checks behind the parser. */
const KNOWN_FIELDS = [
  'title', 'body', 'summary', 'name', 'email', 'password', 'newPassword', 'currentPassword', 'themes', 'kind', 'language',
  'member', 'organisation', 'results', 'contact', 'intent', 'removeAttachments', 'boothCount', 'wishedCodes', 'contactName',
  'phone', 'products', 'specialNeeds', 'booths', 'note', 'reason', 'subject', 'audience', 'recipients', 'section', 'companyName',
  'sector', 'size', 'website', 'description', 'token', 'lang', 'next', 'code', 'quota', 'status', 'category', 'position',
  'direction', 'action', 'csv', 'row', 'count', 'width', 'height', 'x', 'y', 'startsAt', 'endsAt', 'opensAt', 'closesAt',
];

const fieldName: fc.Arbitrary<string> = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom(...KNOWN_FIELDS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_FIELDS), fc.integer({ min: 0, max: 2_000_000_000 })).map(([n, i]) => `${n}[${i}]`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_FIELDS), fc.constantFrom('$gt', '$ne', '$in', '$where', '$regex')).map(([n, op]) => `${n}[${op}]`) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }).map((depth) => `a${'[b]'.repeat(depth)}`) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]', '$where', 'a.b', '_csrf[]') },
);

const fieldValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom('on', 'true', '1', '0', '-1', '1e309', 'NaN', 'draft', 'publish', 'submit', 'en', 'zh-CN', 'CN', 'DE', 'all', 'up', 'down', '') },
  { weight: 1, arbitrary: fc.constantFrom('\x00', 'a\x00b', '\u202Egnp.exe', '\u2066x\u2069', '\r\n\r\n', '\x1b[31m', '\uFEFF', '\uD800') },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-f0-9]{24}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

const entries = fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 });

interface HostileRequest {
  actor: 'anonymous' | 'member' | 'organizer';
  encoding: 'urlencoded' | 'multipart';
  fields: [string, string][];
  /** Repeat the fields (duplicated fields), or add a nameless part / a file part in multipart. */
  twist: 'none' | 'duplicate' | 'nameless' | 'file' | 'many';
}

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  actor: fc.constantFrom('anonymous', 'member', 'organizer'),
  encoding: fc.constantFrom('urlencoded', 'multipart'),
  fields: entries,
  twist: fc.constantFrom('none', 'duplicate', 'nameless', 'file', 'many'),
});

function agentOf(actor: HostileRequest['actor']): { agent: Agent; token: string } {
  if (actor === 'member') return { agent: fx.memberAgent, token: fx.memberToken };
  if (actor === 'organizer') return { agent: fx.organizerAgent, token: fx.organizerToken };
  return anonymous;
}

async function send(url: string, r: HostileRequest): Promise<number> {
  const { agent, token } = agentOf(r.actor);
  let fields = r.fields;
  if (r.twist === 'duplicate') fields = [...fields, ...fields];
  if (r.twist === 'many') fields = [...fields, ...Array.from({ length: 400 }, (_v, i): [string, string] => [`f${i}`, 'x'])];
  if (r.encoding === 'urlencoded') {
    const body = new URLSearchParams();
    for (const [k, v] of fields) body.append(k, v);
    body.append('_csrf', token);
    const res = await agent.post(url).type('form').timeout(BOUND_MS).send(body.toString());
    return res.status;
  }
  const parts: Part[] = fields.map(([name, value]) => ({ name, value }));
  if (r.twist === 'nameless') parts.push({ value: 'orphan' });
  if (r.twist === 'file') parts.push({ name: 'attachments', value: '%PDF-1.4 not really', filename: '\u202Eevil\x00.pdf' });
  const { contentType, payload } = multipartBody(parts);
  const res = await agent.post(`${url}?_csrf=${encodeURIComponent(token)}`).set('Content-Type', contentType).timeout(BOUND_MS).send(payload);
  return res.status;
}

test('every POST route: generated hostile bodies never cause a 5xx, a hang, or a stored record when refused', async () => {
  const routes = postRoutes(t.app);
  expect(routes.length).toBeGreaterThan(40);
  const seen = new Map<string, Set<number>>();
  for (const route of routes) {
    const statuses = new Set<number>();
    seen.set(route.pattern, statuses);
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (r) => {
        // Signing out would end the signed-in actors' sessions for the routes after this one.
        if (route.pattern === '/logout' && r.actor !== 'anonymous') return;
        const url = concretePath(route.pattern, fx);
        // Mail asked for by earlier (accepted) requests leaves the outbox in the background: let it
        // go first, so a change to the outbox below is this request's own.
        await t.ctx.mailer.drained();
        const before = await storedState();
        const status = await send(url, r);
        statuses.add(status);
        if (status >= 500) throw new Error(`POST ${url} answered ${status}`);
        if (status >= 400) {
          const after = await storedState();
          const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
          if (changed.length) throw new Error(`POST ${url} refused (${status}) but changed ${changed.join(', ')}`);
        }
      }),
      { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
  }
  // The suite reached past the parser: somewhere a form was shown again or a request went through.
  const all = new Set([...seen.values()].flatMap((s) => [...s]));
  expect([...all].some((s) => s === 422 || s === 303 || s === 200)).toBe(true);
});
