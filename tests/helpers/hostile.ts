/**
 * What the hostile-input tests share: the app's POST routes read from Express 5's router stack,
 * real records to put in their `:id`s, signed-in agents with their CSRF tokens, multipart bodies
 * built by hand (so a part can have no name), and a snapshot of everything stored to prove that a
 * refused request stored nothing.
 */
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import mongoose, { Types } from 'mongoose';
import { ORGANIZER, type TestApp } from './app';
import { makeUser, type MadeUser } from './factories';
import { FairEdition, Booth } from '../../src/modules/fair';
import { BoardCategory, BoardPost } from '../../src/modules/board/model';
import { csrfFrom, login, newAgent, postForm, type Agent } from './http';

export interface PostRoute {
  /** The path as declared, e.g. `/practices/:id/edit`. */
  pattern: string;
}

interface StackLayer {
  handle?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every POST route of the app, in the order Express matches them. */
export function postRoutes(app: Express): PostRoute[] {
  const found: PostRoute[] = [];
  const walk = (stack: StackLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        if (layer.route.methods.post) found.push({ pattern: layer.route.path });
      } else {
        const inner = (layer.handle as { stack?: StackLayer[] } | undefined)?.stack;
        if (Array.isArray(inner)) walk(inner);
      }
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return found;
}

export interface Fixtures {
  member: MadeUser;
  memberAgent: Agent;
  memberToken: string;
  organizerAgent: Agent;
  organizerToken: string;
  /** Values for route parameters, by route prefix. */
  ids: {
    practiceDraft: string;
    practice: string;
    fairDraft: string;
    edition: string;
    booth: string;
    category: string;
    categoryId: string;
    thread: string;
    post: string;
    /** An account for the organizer's user actions, so they never end the member's session. */
    user: string;
  };
}

async function tokenOf(agent: Agent): Promise<string> {
  const page = await agent.get('/account');
  return csrfFrom(page.text);
}

async function multipartPost(agent: Agent, url: string, token: string, fields: Record<string, string | string[]>) {
  const body = multipartBody(Object.entries(fields).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value }))));
  return agent.post(`${url}?_csrf=${encodeURIComponent(token)}`).set('Content-Type', body.contentType).send(body.payload);
}

function idIn(location: string | undefined, pattern: RegExp): string {
  const m = pattern.exec(location ?? '');
  if (!m) throw new Error(`unexpected redirect ${location}`);
  return m[1]!;
}

/** A member of CN with a company, the organizer, and one record of each kind a POST route names. */
export async function makeFixtures(t: TestApp): Promise<Fixtures> {
  const member = await makeUser({ role: 'member', member: 'CN', createdAt: new Date('2026-01-01T00:00:00Z') });
  const memberAgent = newAgent(t.app);
  await login(memberAgent, member.email, member.password);
  const organizerAgent = newAgent(t.app);
  await login(organizerAgent, ORGANIZER.email, ORGANIZER.password);
  const memberToken = await tokenOf(memberAgent);
  const organizerToken = await tokenOf(organizerAgent);

  const practiceFields = {
    kind: 'business',
    title: 'Cluster innovation vouchers',
    summary: 'Vouchers let small firms buy research.',
    body: 'Our **cluster** gives vouchers.',
    themes: ['innovation'],
    language: 'en',
    organisation: 'Example Works',
    results: '120 vouchers',
    contact: 'info@example.org',
  };
  const draft = await multipartPost(memberAgent, '/practices/new', memberToken, { ...practiceFields, intent: 'draft' });
  const published = await multipartPost(memberAgent, '/practices/new', memberToken, { ...practiceFields, intent: 'publish' });
  const request = await multipartPost(memberAgent, '/fair/requests/new', memberToken, {
    contactName: 'Li Wei',
    phone: '+86 20 1234 5678',
    products: 'Bamboo furniture',
    boothCount: '1',
    wishedCodes: 'A01',
    specialNeeds: '',
    intent: 'draft',
  });
  const edition = await FairEdition.findOne({ code: /^cismef-/ }).lean();
  const booth = await Booth.findOne({ edition: edition!._id }).lean();
  const category = await BoardCategory.findOne({}).lean();
  const thread = await postForm(memberAgent, `/board/${String(category!.slug)}/new`, { title: 'Export help', body: 'Who has shipped to Europe?' }, '/account');
  const threadId = idIn(thread.headers.location, /\/board\/threads\/([a-f0-9]{24})/);
  const post = await BoardPost.findOne({ thread: threadId }).lean();
  return {
    member,
    memberAgent,
    memberToken,
    organizerAgent,
    organizerToken,
    ids: {
      practiceDraft: idIn(draft.headers.location, /\/practices\/([a-f0-9]{24})$/),
      practice: idIn(published.headers.location, /\/practices\/([a-f0-9]{24})$/),
      fairDraft: idIn(request.headers.location, /\/fair\/requests\/([a-f0-9]{24})/),
      edition: String(edition!._id),
      booth: String(booth!._id),
      category: String(category!.slug),
      categoryId: String(category!._id),
      thread: threadId,
      post: String(post!._id),
      user: (await makeUser({ role: 'member', member: 'FR' })).id,
    },
  };
}

/** A concrete URL for a route pattern: real records where the fixtures have one, else an unknown id. */
export function concretePath(pattern: string, fx: Fixtures): string {
  const { ids } = fx;
  const byPrefix: [RegExp, Record<string, string>][] = [
    [/^\/practices\//, { id: ids.practiceDraft }],
    [/^\/admin\/practices\//, { id: ids.practice }],
    [/^\/fair\/requests\//, { id: ids.fairDraft, action: 'submit' }],
    [/^\/admin\/fair\/editions\//, { id: ids.edition, boothId: ids.booth }],
    [/^\/fair\/editions\//, { id: ids.edition }],
    [/^\/board\/threads\//, { id: ids.thread }],
    [/^\/board\/posts\//, { id: ids.post }],
    [/^\/board\/:category/, { category: ids.category }],
    [/^\/admin\/board\/categories\//, { id: ids.categoryId }],
    [/^\/admin\/users\//, { id: ids.user }],
    [/^\/admin\/members\//, { code: 'CN' }],
  ];
  const values = byPrefix.find(([re]) => re.test(pattern))?.[1] ?? {};
  return pattern.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? new Types.ObjectId().toHexString());
}

export interface Part {
  /** Undefined: a part whose Content-Disposition has no name at all. */
  name?: string;
  value: string;
  filename?: string;
}

/** A multipart/form-data body, written out by hand so that any part can be malformed. */
export function multipartBody(parts: Part[]): { contentType: string; payload: Buffer } {
  const boundary = `----hostile${new Types.ObjectId().toHexString()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = 'Content-Disposition: form-data';
    if (part.name !== undefined) disposition += `; name="${part.name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
    if (part.filename !== undefined) disposition += `; filename="${part.filename.replace(/"/g, '%22')}"`;
    const type = part.filename !== undefined ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(Buffer.from(`--${boundary}\r\n${disposition}${type}\r\n\r\n`), Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, payload: Buffer.concat(chunks) };
}

/** Collections whose changes are not records of a request: sessions and rate-limit counters. */
const NOT_RECORDS = /^(sessions|ratelimit|rate_limit|rlflx)/i;

/** A digest of every stored document, collection by collection. */
export async function storedState(): Promise<Record<string, string>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !NOT_RECORDS.test(n)).sort();
  const state: Record<string, string> = {};
  for (const name of names) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    state[name] = `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16)}`;
  }
  return state;
}
