/**
 * Demo data for a busy year: companies, liaisons, practices, board threads and posts,
 * conversations, booth requests over three fair editions, announcements. Written through the
 * modules' own models (defaults, validation, unique indexes) in batches, with every derived field
 * computed as the services compute it: search terms (textTerms), rendered Markdown with its
 * renderer version, thread and conversation counters, unread counts, quota counters, receipts.
 *
 * Expects the start-up seed (ASEM members, board categories, the first fair edition, the first
 * organizer): the CLI (src/demo/cli.ts) runs the modules' start-up before calling it.
 */
import { Types, type Model } from 'mongoose';
import { MARKDOWN_VERSION, renderMarkdown } from '../web/markdown';
import { textTerms } from '../web/search';
import { FILE_KINDS, type FileKind } from '../web/uploads';
import { listAsemMembers } from '../modules/members';
import { User, Company, SECTORS, COMPANY_SIZES, COMPANY_TERMS_VERSION, companySearchTerms, hashPassword } from '../modules/accounts';
import { PRACTICE_SEARCH_VERSION, Practice, THEMES, practiceSearchTerms } from '../modules/practices';
import { BoardCategory, BoardThread, BoardPost, BoardSubscription } from '../modules/board';
import { FairEdition, Booth, BoothRequest, BoothAssignment, QuotaCounter } from '../modules/fair';
import { Conversation, ConversationMembership, PrivateMessage, Announcement, AnnouncementReceipt } from '../modules/messages';
import * as words from './text';

export const SCALES = ['small', 'busy', 'large'] as const;
export type Scale = (typeof SCALES)[number];

export interface ScaleSize {
  companies: number;
  liaisons: number;
  practices: number;
  threads: number;
  posts: number;
  messages: number;
  boothRequests: number;
  booths: number;
  announcements: number;
}

const BUSY: ScaleSize = { companies: 10_000, liaisons: 60, practices: 20_000, threads: 10_000, posts: 200_000, messages: 30_000, boothRequests: 2_000, booths: 300, announcements: 40 };

export const SCALE_SIZES: Record<Scale, ScaleSize> = {
  small: { companies: 150, liaisons: 50, practices: 120, threads: 40, posts: 600, messages: 200, boothRequests: 90, booths: 300, announcements: 4 },
  busy: BUSY,
  large: {
    companies: BUSY.companies * 5,
    liaisons: BUSY.liaisons * 5,
    practices: BUSY.practices * 5,
    threads: BUSY.threads * 5,
    posts: BUSY.posts * 5,
    messages: BUSY.messages * 5,
    boothRequests: BUSY.boothRequests * 5,
    booths: BUSY.booths,
    announcements: BUSY.announcements * 5,
  },
};

/** Every demo account signs in with this password (documented in the README). */
export const DEMO_PASSWORD = 'demo-password-2026';

/** How many companies each ASEM member has, relative to one another (the rest: 1.5). */
const MEMBER_WEIGHTS: Record<string, number> = {
  CN: 22, DE: 11, TH: 8, JP: 7, IN: 7, KR: 6, VN: 6, FR: 6, IT: 6, ID: 5, GB: 5, MY: 4, ES: 4, PL: 4, NL: 3, PH: 3, SG: 3,
  PK: 2.5, BE: 2, AT: 2, CZ: 2, SE: 2, PT: 2, GR: 2, HU: 2, RO: 2, DK: 1.5, FI: 1.5, IE: 1.5, SK: 1.2, BG: 1.2, KH: 1.2,
  MN: 1, MM: 1, LA: 0.8, LT: 0.8, LV: 0.6, SI: 0.6, EE: 0.5, CY: 0.4, LU: 0.3, BN: 0.25, MT: 0.25,
};
/** The organisations (ASEAN Secretariat, European Commission) have liaisons but no companies. */
const ORGANISATIONS = new Set(['ASEAN', 'EC']);

export interface DemoUsers {
  organizer: { email: string; password: string };
  member: { email: string; password: string };
  liaison: { email: string; password: string };
}

export interface GenerateOptions {
  scale: Scale | ScaleSize;
  /** "Now" for the data: editions, dates and activity are placed before it. */
  now: Date;
  /** The organizer's credentials, written to demo-users.json (the organizer itself is made at start-up). */
  organizer: { email: string; password: string };
  seed?: number;
  batchSize?: number;
  progress?: (line: string) => void;
}

export interface GenerateResult {
  counts: Record<string, number>;
  users: DemoUsers;
}

const DAY = 24 * 3600 * 1000;

/**
 * Ids made from the document's own date (so _id order follows creation) and a counter: the same
 * run always gives the same ids.
 */
class IdMaker {
  private counter = 0;
  constructor(private readonly prefix: number) {}
  at(date: Date): Types.ObjectId {
    const buf = Buffer.alloc(12);
    buf.writeUInt32BE(Math.floor(date.getTime() / 1000), 0);
    buf.writeUInt32BE(this.prefix, 4);
    buf.writeUInt32BE(++this.counter, 8);
    return new Types.ObjectId(buf);
  }
}

/**
 * Writes documents through a model in batches (validated and defaulted by mongoose). One batch is
 * in flight while the next is being made, so the database and this process work at the same time.
 */
class Writer {
  total = 0;
  private pending: unknown[] = [];
  private inFlight: Promise<void> = Promise.resolve();
  constructor(
    private readonly model: Model<never>,
    private readonly batchSize: number,
    private readonly onWritten: (total: number) => void = () => undefined,
  ) {}
  async add(doc: unknown): Promise<void> {
    this.pending.push(doc);
    if (this.pending.length >= this.batchSize) await this.send();
  }
  private async send(): Promise<void> {
    await this.inFlight;
    const docs = this.pending;
    this.pending = [];
    if (!docs.length) return;
    this.inFlight = insertBatch(this.model, docs).then(() => {
      this.total += docs.length;
      this.onWritten(this.total);
    });
    // A failed batch is reported by the next add or by flush.
    this.inFlight.catch(() => undefined);
  }
  /** Sends what is left and waits until everything is written. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight;
  }
}

const DUPLICATE_KEY = 11000;

function onlyDuplicates(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
  if (e.code === DUPLICATE_KEY && !e.writeErrors) return true;
  return Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
}

/**
 * Inserts a batch; when the connection drops mid-batch (a database busy for longer than the
 * driver's monitor allows), the batch is sent again unordered and the documents that did arrive
 * the first time are refused by their unique indexes (same _id, or the same unique key), so
 * nothing is written twice.
 */
async function insertBatch(model: Model<never>, docs: unknown[]): Promise<void> {
  // Demo records carry the demo flag (collections without it drop the field): figures leave them out.
  for (const d of docs) (d as { demo?: boolean }).demo = true;
  for (let attempt = 1; ; attempt++) {
    try {
      await model.insertMany(docs as never[], { ordered: attempt === 1 });
      return;
    } catch (err) {
      if (attempt > 1 && onlyDuplicates(err)) return;
      const name = (err as { name?: string }).name ?? '';
      const retryable = /MongoNetwork|MongoServerSelection|MongoBulkWrite|PoolCleared/.test(name) && !onlyDuplicates(err);
      if (!retryable || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
    }
  }
}

/**
 * Derived text, remembered by its source: the demo text reuses sentences, so many bodies repeat,
 * and rendering Markdown and stemming cost more than looking up. Same input, same output: the
 * stored values are exactly what the services compute.
 */
class Memo<T> {
  private readonly map = new Map<string, T>();
  constructor(
    private readonly make: (text: string) => T,
    private readonly max = 50_000,
  ) {}
  get(text: string): T {
    let v = this.map.get(text);
    if (v === undefined) {
      v = this.make(text);
      if (this.map.size < this.max) this.map.set(text, v);
    }
    return v;
  }
}

function writer(model: unknown, batchSize: number, onWritten?: (total: number) => void): Writer {
  return new Writer(model as Model<never>, batchSize, onWritten);
}

const BAR_WIDTH = 30;
/** At most one progress line per this many milliseconds for each kind of record. */
const PROGRESS_EVERY_MS = 5000;

/** A progress bar line for a long step: `board posts [#######.......]  45 % 90,000 / 200,000`. */
export function progressLine(label: string, done: number, expected: number): string {
  const share = expected > 0 ? Math.min(1, done / expected) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const fmt = (n: number) => n.toLocaleString('en');
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)} % ${fmt(done)} / ${fmt(expected)}`;
}

interface PersonRef {
  _id: Types.ObjectId;
  name: string;
  member: string;
  company?: Types.ObjectId;
  companyName?: string;
  chinese: boolean;
  role: 'member' | 'liaison' | 'organizer';
}

function cumulative(weights: number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

function personName(rng: words.Rng, chinese: boolean): string {
  return chinese ? `${rng.pick(words.CHINESE_FAMILY)}${rng.pick(words.CHINESE_GIVEN)}` : `${rng.pick(words.GIVEN_NAMES)} ${rng.pick(words.FAMILY_NAMES)}`;
}

function companyName(rng: words.Rng, member: string, chinese: boolean, n: number): string {
  if (chinese) return `${rng.pick(words.CHINESE_COMPANY_PLACES)}${rng.pick(words.CHINESE_COMPANY_TRADES)}有限公司 ${n}`;
  const suffix: Record<string, string> = { DE: 'GmbH', AT: 'GmbH', FR: 'SARL', IT: 'S.r.l.', ES: 'S.L.', NL: 'B.V.', BE: 'BV', PL: 'Sp. z o.o.', TH: 'Co., Ltd.', VN: 'Co., Ltd.', JP: 'K.K.', GB: 'Ltd', IE: 'Ltd', SE: 'AB', DK: 'ApS', FI: 'Oy' };
  return `${rng.pick(words.COMPANY_WORDS)} ${rng.pick(words.COMPANY_TRADES)} ${suffix[member] ?? 'Ltd.'} ${n}`;
}

/** A date between from and to, uniformly. */
function between(rng: words.Rng, from: number, to: number): Date {
  return new Date(Math.floor(from + rng.next() * (to - from)));
}

export async function generateDemoData(opts: GenerateOptions): Promise<GenerateResult> {
  const size = typeof opts.scale === 'string' ? SCALE_SIZES[opts.scale] : opts.scale;
  const rng = new words.Rng(opts.seed ?? 2007);
  const ids = new IdMaker(0x00a5e300);
  const batch = opts.batchSize ?? 1000;
  const progress = opts.progress ?? (() => undefined);
  const now = opts.now.getTime();
  const yearAgo = now - 365 * DAY;
  const counts: Record<string, number> = {};
  const step = (label: string, n: number) => {
    counts[label] = n;
    progress(`${label}: ${n.toLocaleString('en')}`);
  };
  /** Reports a writer's progress now and then while it works through `expected` records. */
  const tracked = (label: string, expected: number) => {
    let last = Date.now();
    return (total: number) => {
      if (total >= expected || Date.now() - last < PROGRESS_EVERY_MS) return;
      last = Date.now();
      progress(progressLine(label, total, expected));
    };
  };

  const organizerDoc = await User.findOne({ role: 'organizer' }).sort({ createdAt: 1 }).lean();
  if (!organizerDoc) throw new Error('no organizer: run the start-up seed first');
  const organizer: PersonRef = { _id: organizerDoc._id, name: organizerDoc.name, member: '', chinese: false, role: 'organizer' };
  const members = (await listAsemMembers()).map((m) => m.code).sort();
  if (!members.length) throw new Error('no ASEM members: run the start-up seed first');
  const categories = await BoardCategory.find().sort({ position: 1, _id: 1 }).lean();
  if (!categories.length) throw new Error('no board categories: run the start-up seed first');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const boardHtml = new Memo((body) => renderMarkdown(body, 'board'));
  const bodyTerms = new Memo((body) => textTerms(body));

  // --- people: liaisons (one for each member, the rest for the busiest), then members and companies
  const liaisons: PersonRef[] = [];
  const liaisonsByMember = new Map<string, PersonRef[]>();
  const userWriter = writer(User, batch);
  const companyWriter = writer(Company, batch, tracked('companies', size.companies));
  const busiest = [...members].sort((a, b) => (MEMBER_WEIGHTS[b] ?? 1.5) - (MEMBER_WEIGHTS[a] ?? 1.5));
  for (let i = 0; i < size.liaisons; i++) {
    const member = i < members.length ? members[i]! : busiest[(i - members.length) % busiest.length]!;
    const chinese = member === 'CN';
    const created = between(rng, yearAgo - 365 * DAY, yearAgo);
    const _id = ids.at(created);
    const name = personName(rng, chinese);
    const ref: PersonRef = { _id, name, member, chinese, role: 'liaison' };
    liaisons.push(ref);
    liaisonsByMember.set(member, [...(liaisonsByMember.get(member) ?? []), ref]);
    await userWriter.add({
      _id,
      email: `liaison${i + 1}.${member.toLowerCase()}@demo.example.org`,
      passwordHash,
      name,
      language: chinese ? 'zh-CN' : 'en',
      role: 'liaison',
      member,
      agency: chinese ? '商务部中小企业局' : `SME Agency of ${member}`,
      languages: chinese ? ['zh', 'en'] : ['en'],
      status: 'active',
      emailVerifiedAt: created,
      createdAt: created,
      updatedAt: created,
    });
  }

  const companyMembers = members.filter((m) => !ORGANISATIONS.has(m));
  const memberCumulative = cumulative(companyMembers.map((m) => MEMBER_WEIGHTS[m] ?? 1.5));
  const people: PersonRef[] = [];
  const peopleByMember = new Map<string, PersonRef[]>();
  for (let i = 0; i < size.companies; i++) {
    // The first company is Chinese: its owner is the demo member (with conversations).
    const member = i === 0 ? 'CN' : companyMembers[rng.weighted(memberCumulative)]!;
    const chinese = member === 'CN' && rng.chance(0.7);
    const created = between(rng, yearAgo, now - DAY);
    const userId = ids.at(created);
    const companyId = ids.at(created);
    const verified = i === 0 || rng.chance(0.95);
    const name = personName(rng, chinese);
    const cname = companyName(rng, member, chinese, i + 1);
    const ref: PersonRef = { _id: userId, name, member, company: companyId, companyName: cname, chinese, role: 'member' };
    if (verified) {
      people.push(ref);
      peopleByMember.set(member, [...(peopleByMember.get(member) ?? []), ref]);
    }
    await userWriter.add({
      _id: userId,
      email: `sme${i + 1}.${member.toLowerCase()}@demo.example.org`,
      passwordHash,
      name,
      language: chinese ? 'zh-CN' : 'en',
      role: 'member',
      member,
      company: companyId,
      status: 'active',
      emailVerifiedAt: verified ? created : undefined,
      createdAt: created,
      updatedAt: created,
    });
    const products = words.sentences(rng, chinese, 1);
    await companyWriter.add({
      _id: companyId,
      name: cname,
      member,
      sector: rng.pick(SECTORS),
      size: rng.pick(COMPANY_SIZES),
      website: `https://sme${i + 1}.demo.example.org`,
      description: words.sentences(rng, chinese, rng.int(1, 3)),
      products,
      searchTerms: companySearchTerms({ name: cname, products, offers: '', seeks: '' }),
      searchTermsVersion: COMPANY_TERMS_VERSION,
      owner: userId,
      listed: verified,
      createdAt: created,
      updatedAt: created,
    });
  }
  await userWriter.flush();
  await companyWriter.flush();
  step('liaisons', liaisons.length);
  step('companies', companyWriter.total);

  const memberOf = people[0]!;
  const firstLiaison = liaisons[0]!;
  const authors = [...people, ...liaisons];

  // --- practices
  const practiceWriter = writer(Practice, batch, tracked('practices', size.practices));
  const fileKinds = Object.keys(FILE_KINDS) as FileKind[];
  for (let i = 0; i < size.practices; i++) {
    const byLiaison = rng.chance(0.25);
    const author = byLiaison ? rng.pick(liaisons) : rng.pick(people);
    const chinese = author.chinese || rng.chance(0.08);
    const created = between(rng, yearAgo, now - DAY);
    const status = rng.chance(0.92) ? 'published' : 'draft';
    const hidden = status === 'published' && rng.chance(0.02);
    const title = `${rng.pick(chinese ? words.PRACTICE_TITLES_ZH : words.PRACTICE_TITLES_EN)}${chinese ? '' : ' in'} ${chinese ? `（${i + 1}）` : `${author.member} (${i + 1})`}`;
    const summary = words.sentences(rng, chinese, rng.int(1, 2));
    const results = words.sentences(rng, chinese, 1);
    const body = words.markdownBody(rng, chinese, rng.int(2, 6));
    const themes = [...new Set([rng.pick(THEMES), rng.pick(THEMES)])];
    const attachments = rng.chance(0.3)
      ? Array.from({ length: rng.int(1, 2) }, (_, j) => {
          const kind = rng.pick(fileKinds);
          return { storedName: `demo-${i + 1}-${j + 1}.${FILE_KINDS[kind].extensions[0]}`, originalName: `${chinese ? '案例说明' : 'case-study'}-${j + 1}.${FILE_KINDS[kind].extensions[0]}`, size: rng.int(20_000, 4_000_000), kind, mime: FILE_KINDS[kind].mime };
        })
      : [];
    const publishedAt = status === 'published' ? new Date(created.getTime() + rng.int(0, 3) * DAY) : null;
    await practiceWriter.add({
      _id: ids.at(created),
      kind: byLiaison ? 'policy' : 'business',
      status,
      title,
      summary,
      body,
      bodyHtml: renderMarkdown(body, 'practices'),
      bodyHtmlVersion: MARKDOWN_VERSION,
      themes,
      member: author.member,
      language: chinese ? 'zh' : 'en',
      organisation: byLiaison ? (chinese ? '中小企业发展促进中心' : `SME Agency of ${author.member}`) : author.companyName,
      results,
      contact: '',
      attachments,
      author: author._id,
      authorRole: author.role,
      company: author.company ?? null,
      hiddenAt: hidden ? new Date(now - DAY) : null,
      hiddenReason: hidden ? 'Duplicate of another practice' : '',
      hiddenBy: hidden ? organizer._id : null,
      publishedAt,
      searchTerms: practiceSearchTerms({ title, summary, body, results }),
      searchVersion: PRACTICE_SEARCH_VERSION,
      createdAt: created,
      updatedAt: publishedAt ?? created,
    });
  }
  await practiceWriter.flush();
  step('practices', practiceWriter.total);

  // --- board: threads with a skewed number of posts, the total fixed by the scale
  const threadWriter = writer(BoardThread, batch);
  const postWriter = writer(BoardPost, batch, tracked('board posts', size.posts));
  const subscriptionWriter = writer(BoardSubscription, batch);
  const categoryCumulative = cumulative(categories.map((_, i) => 1 / (i + 1)));
  const postsPerThread = Array.from({ length: size.threads }, () => rng.skewed(size.posts / size.threads, 400));
  // Scale the counts so they add up to the size asked for (every thread keeps its opening post).
  let sum = postsPerThread.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== size.posts && i < size.posts * 4; i++) {
    const t = i % size.threads;
    if (sum < size.posts) {
      postsPerThread[t]!++;
      sum++;
    } else if (postsPerThread[t]! > 1) {
      postsPerThread[t]!--;
      sum--;
    }
  }
  for (let t = 0; t < size.threads; t++) {
    const author = rng.pick(authors);
    const chinese = author.chinese;
    const category = categories[rng.weighted(categoryCumulative)]!;
    const title = `${rng.pick(chinese ? words.THREAD_TITLES_ZH : words.THREAD_TITLES_EN)} #${t + 1}`;
    const count = postsPerThread[t]!;
    const start = between(rng, yearAgo, now - 2 * DAY).getTime();
    const span = Math.min(now - start - DAY, rng.int(1, 120) * DAY);
    const threadId = ids.at(new Date(start));
    let at = start;
    let lastName = author.name;
    for (let n = 1; n <= count; n++) {
      const poster = n === 1 ? author : rng.pick(authors);
      const body = words.markdownBody(rng, poster.chinese, rng.skewed(1.4, 4));
      const created = new Date(at);
      const deleted = n > 1 && rng.chance(0.005);
      await postWriter.add({
        _id: ids.at(created),
        thread: threadId,
        category: category._id,
        number: n,
        author: poster._id,
        authorName: poster.name,
        body: deleted ? '' : body,
        html: deleted ? '' : boardHtml.get(body),
        htmlVersion: MARKDOWN_VERSION,
        createdAt: created,
        deletedAt: deleted ? created : null,
        searchTerms: deleted ? [] : n === 1 ? textTerms(title, body) : bodyTerms.get(body),
      });
      lastName = poster.name;
      if (n < count) at += Math.max(1000, Math.floor((span / count) * (0.5 + rng.next())));
    }
    await threadWriter.add({
      _id: threadId,
      category: category._id,
      title,
      author: author._id,
      authorName: author.name,
      createdAt: new Date(start),
      lastActivityAt: new Date(at),
      lastPosterName: lastName,
      postCount: count,
      replyCount: count - 1,
      pinned: t < 3,
    });
    await subscriptionWriter.add({ user: author._id, thread: threadId, createdAt: new Date(start), notifiedAt: null, lastVisitedAt: new Date(at) });
  }
  await threadWriter.flush();
  await postWriter.flush();
  await subscriptionWriter.flush();
  step('board threads', threadWriter.total);
  step('board posts', postWriter.total);

  // --- conversations: members with their own liaisons, liaisons with the organizer; the demo
  // member has several.
  const conversationWriter = writer(Conversation, batch);
  const membershipWriter = writer(ConversationMembership, batch);
  const messageWriter = writer(PrivateMessage, batch, tracked('messages', size.messages));
  let messagesLeft = size.messages;
  let c = 0;
  while (messagesLeft > 0) {
    let a: PersonRef;
    let b: PersonRef;
    if (c < 6) {
      a = memberOf;
      b = rng.pick(liaisonsByMember.get(memberOf.member)!);
    } else if (rng.chance(0.75)) {
      a = rng.pick(people);
      const own = liaisonsByMember.get(a.member);
      if (!own) continue;
      b = rng.pick(own);
    } else {
      a = rng.pick(liaisons);
      b = rng.chance(0.5) ? organizer : rng.pick(liaisons);
      if (a === b) continue;
    }
    const n = Math.min(messagesLeft, rng.skewed(10, 60));
    messagesLeft -= n;
    const start = between(rng, yearAgo, now - DAY).getTime();
    const conversationId = ids.at(new Date(start));
    const chinese = a.chinese && b.chinese;
    let at = start;
    const authorsInOrder: PersonRef[] = [];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const author = i === 0 ? a : rng.chance(0.5) ? a : b;
      authorsInOrder.push(author);
      times.push(at);
      await messageWriter.add({ _id: ids.at(new Date(at)), conversation: conversationId, author: author._id, body: words.markdownBody(rng, chinese || author.chinese, rng.int(1, 2)), createdAt: new Date(at) });
      at += rng.int(600, 3 * 24 * 3600) * 1000;
    }
    const last = times[n - 1]!;
    await conversationWriter.add({
      _id: conversationId,
      subject: chinese ? `关于${rng.pick(words.THREAD_TITLES_ZH)}` : `About: ${rng.pick(words.THREAD_TITLES_EN).toLowerCase()}`,
      startedBy: a._id,
      participants: [a._id, b._id],
      messageCount: n,
      lastMessageAt: new Date(last),
      createdAt: new Date(start),
    });
    for (const p of [a, b]) {
      // Each has read up to some message at or after their own last one; unread counts the others' after it.
      const ownLast = authorsInOrder.map((x) => x === p).lastIndexOf(true);
      const readUpTo = rng.chance(0.6) ? n - 1 : rng.int(Math.max(ownLast, 0), n - 1);
      const unread = authorsInOrder.slice(readUpTo + 1).filter((x) => x !== p).length;
      await membershipWriter.add({ conversation: conversationId, user: p._id, unread, lastReadAt: ownLast >= 0 || readUpTo >= 0 ? new Date(times[readUpTo]!) : null, notified: unread > 0, lastMessageAt: new Date(last) });
    }
    c++;
  }
  await conversationWriter.flush();
  await messageWriter.flush();
  await membershipWriter.flush();
  step('conversations', conversationWriter.total);
  step('messages', messageWriter.total);

  // --- the fair: two past editions and the current one (the seeded edition), each with a 300-booth hall
  const current = await FairEdition.findOne({ status: 'open' }).sort({ year: -1 }).lean();
  if (!current) throw new Error('no open fair edition: run the start-up seed first');
  const year = current.year;
  const pastEditions = [];
  for (const y of [year - 2, year - 1]) {
    const doc = await FairEdition.create({
      code: `cismef-${y}`,
      name: { en: current.name.en.replace(String(year), String(y)), 'zh-CN': current.name['zh-CN'].replace(String(year), String(y)) },
      year: y,
      startsOn: new Date(Date.UTC(y, 8, 15)),
      endsOn: new Date(Date.UTC(y, 8, 18)),
      city: current.city,
      venue: current.venue,
      hallName: current.hallName,
      requestOpensAt: new Date(Date.UTC(y, 2, 1)),
      requestClosesAt: new Date(Date.UTC(y, 7, 15, 23, 59)),
      status: 'archived',
      defaultQuota: 6,
      quotaOverrides: [
        { member: 'CN', quota: 40 },
        { member: 'DE', quota: 20 },
        { member: 'TH', quota: 16 },
      ],
      notes: current.notes,
      allocationPublishedAt: new Date(Date.UTC(y, 7, 25)),
    });
    pastEditions.push(doc.toObject());
  }
  await Booth.deleteMany({ edition: current._id });
  const boothWriter = writer(Booth, batch);
  const boothsOf = new Map<string, { _id: Types.ObjectId; code: string }[]>();
  const perRow = 30;
  for (const edition of [...pastEditions, current]) {
    const list: { _id: Types.ObjectId; code: string }[] = [];
    for (let i = 0; i < size.booths; i++) {
      const row = Math.floor(i / perRow);
      const col = i % perRow;
      const code = `${String.fromCharCode(65 + (row % 26))}${row >= 26 ? Math.floor(row / 26) : ''}${String(col + 1).padStart(2, '0')}`;
      const _id = ids.at(new Date(now - 400 * DAY));
      const features = [...(col === 0 || col === perRow - 1 ? ['corner'] : []), ...(col % 3 === 0 ? ['power'] : []), ...(row % 3 === 1 && col % 10 === 5 ? ['water'] : [])];
      // Rows back to back in pairs, an aisle after each pair.
      await boothWriter.add({ _id, edition: edition._id, code, x: 2 + col * 3, y: 2 + Math.floor(row / 2) * 9 + (row % 2) * 3, width: 3, depth: 3, features });
      list.push({ _id, code });
    }
    boothsOf.set(String(edition._id), list);
  }
  await boothWriter.flush();

  const requestWriter = writer(BoothRequest, batch);
  const assignmentWriter = writer(BoothAssignment, batch);
  const share = [0.3, 0.33];
  const editions = [...pastEditions, current];
  for (let e = 0; e < editions.length; e++) {
    const edition = editions[e]!;
    const isPast = e < pastEditions.length;
    const n = e < share.length ? Math.round(size.boothRequests * share[e]!) : size.boothRequests - Math.round(size.boothRequests * share[0]!) - Math.round(size.boothRequests * share[1]!);
    const applicants = rng.shuffle([...people]).slice(0, Math.min(n, people.length));
    const free = [...boothsOf.get(String(edition._id))!];
    const used = new Map<string, number>();
    const quotaOf = (member: string) => edition.quotaOverrides.find((o) => o.member === member)?.quota ?? edition.defaultQuota;
    const opens = edition.requestOpensAt.getTime();
    const closes = Math.min(edition.requestClosesAt.getTime(), now - DAY);
    for (const company of applicants) {
      const created = between(rng, opens, Math.max(opens + DAY, closes));
      const liaison = rng.pick(liaisonsByMember.get(company.member) ?? [firstLiaison]);
      const actorOf = (p: PersonRef) => ({ actor: p._id, actorName: p.name, actorRole: p.role, note: '', booths: [] as string[] });
      const timeline: Record<string, unknown>[] = [{ at: created, action: 'create', from: null, to: 'draft', ...actorOf(company) }];
      let at = created.getTime();
      const later = () => new Date((at += rng.int(1, 10) * DAY) > now ? (at = now - 1000) : at);
      let status: string;
      let booths: { booth: Types.ObjectId; code: string }[] = [];
      const boothCount = rng.chance(0.8) ? 1 : 2;
      const roll = rng.next();
      if (!isPast && roll < 0.1) status = 'draft';
      else {
        timeline.push({ at: later(), action: 'submit', from: 'draft', to: 'submitted', ...actorOf(company) });
        status = 'submitted';
        if (roll < (isPast ? 0.05 : 0.45)) {
          /* left submitted */
        } else if (roll < (isPast ? 0.12 : 0.5)) {
          timeline.push({ at: later(), action: 'decline', from: 'submitted', to: 'declined', ...actorOf(liaison), note: 'Not an SME of this member' });
          status = 'declined';
        } else if (roll < (isPast ? 0.18 : 0.55)) {
          timeline.push({ at: later(), action: 'withdraw', from: 'submitted', to: 'withdrawn', ...actorOf(company) });
          status = 'withdrawn';
        } else {
          timeline.push({ at: later(), action: 'endorse', from: 'submitted', to: 'endorsed', ...actorOf(liaison) });
          status = 'endorsed';
          if (isPast) {
            const taken = used.get(company.member) ?? 0;
            if (rng.chance(0.1)) {
              timeline.push({ at: later(), action: 'reject', from: 'endorsed', to: 'rejected', ...actorOf(organizer) });
              status = 'rejected';
            } else if (free.length >= boothCount && taken + boothCount <= quotaOf(company.member)) {
              booths = free.splice(0, boothCount).map((b) => ({ booth: b._id, code: b.code }));
              used.set(company.member, taken + boothCount);
              timeline.push({ at: later(), action: 'approve', from: 'endorsed', to: 'approved', ...actorOf(organizer), booths: booths.map((b) => b.code) });
              status = 'approved';
              if (rng.chance(0.85)) {
                timeline.push({ at: later(), action: 'confirm', from: 'approved', to: 'confirmed', ...actorOf(company) });
                status = 'confirmed';
              }
            } else {
              timeline.push({ at: later(), action: 'waitlist', from: 'endorsed', to: 'waitlisted', ...actorOf(organizer) });
              status = 'waitlisted';
            }
          }
        }
      }
      const requestId = ids.at(created);
      const submittedAt = (timeline.find((x) => x.action === 'submit')?.at as Date | undefined) ?? null;
      await requestWriter.add({
        _id: requestId,
        edition: edition._id,
        company: company.company,
        companyName: company.companyName,
        member: company.member,
        requester: company._id,
        contactName: company.name,
        phone: `+${rng.int(10, 99)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}`,
        products: words.sentences(rng, company.chinese, 1),
        boothCount,
        wishedCodes: [],
        specialNeeds: rng.chance(0.2) ? words.sentences(rng, company.chinese, 1) : '',
        attachment: rng.chance(0.3) ? { storedName: `demo-brochure-${String(requestId)}.pdf`, originalName: 'brochure.pdf', size: rng.int(50_000, 3_000_000), kind: 'pdf', mime: FILE_KINDS.pdf.mime } : null,
        status,
        active: ['draft', 'submitted', 'endorsed', 'approved', 'waitlisted', 'confirmed'].includes(status),
        booths,
        submittedAt,
        waitlistedAt: status === 'waitlisted' ? (timeline[timeline.length - 1]!.at as Date) : null,
        timeline,
        createdAt: created,
        updatedAt: timeline[timeline.length - 1]!.at as Date,
      });
      for (const b of booths) await assignmentWriter.add({ edition: edition._id, booth: b.booth, request: requestId, member: company.member, company: company.company, at: new Date(at) });
    }
    const counters = [...used].map(([member, u]) => ({ edition: edition._id, member, quota: quotaOf(member), used: u }));
    if (counters.length) await QuotaCounter.insertMany(counters);
  }
  await requestWriter.flush();
  await assignmentWriter.flush();
  step('fair editions', editions.length);
  step('booths', boothWriter.total);
  step('booth requests', requestWriter.total);
  step('booth assignments', assignmentWriter.total);

  // --- announcements to every liaison, most acknowledged
  const announcementWriter = writer(Announcement, batch);
  const receiptWriter = writer(AnnouncementReceipt, batch);
  for (let i = 0; i < size.announcements; i++) {
    const sentAt = between(rng, yearAgo, now - DAY);
    const _id = ids.at(sentAt);
    let acknowledged = 0;
    for (const l of liaisons) {
      const ack = rng.chance(i === size.announcements - 1 ? 0.3 : 0.85);
      if (ack) acknowledged++;
      await receiptWriter.add({ announcement: _id, user: l._id, member: l.member, acknowledged: ack, acknowledgedAt: ack ? new Date(sentAt.getTime() + rng.int(1, 72) * 3600_000) : null, remindedAt: null, sentAt });
    }
    await announcementWriter.add({
      _id,
      subject: `${i % 2 ? 'Fair logistics update' : 'Booth request window'} ${i + 1}`,
      body: words.markdownBody(rng, false, rng.int(2, 4)),
      sentBy: organizer._id,
      audience: 'all',
      members: [],
      recipientCount: liaisons.length,
      acknowledgedCount: acknowledged,
      reminderCount: 0,
      lastRemindedAt: null,
      sentAt,
    });
  }
  await announcementWriter.flush();
  await receiptWriter.flush();
  step('announcements', announcementWriter.total);

  const memberUser = await User.findById(memberOf._id, { email: 1 }).lean();
  const liaisonUser = await User.findById(firstLiaison._id, { email: 1 }).lean();
  return {
    counts,
    users: {
      organizer: opts.organizer,
      member: { email: memberUser!.email, password: DEMO_PASSWORD },
      liaison: { email: liaisonUser!.email, password: DEMO_PASSWORD },
    },
  };
}
