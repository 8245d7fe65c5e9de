/**
 * Every list page asks the database the same number of times whatever the amount of data: the
 * database round trips of each page (counted through the driver's command monitoring) are the
 * same with about ten documents per collection as with the "small" demo data and many more posts,
 * practices and companies. A page whose count grows with the data (a query per row, cursors that
 * need more batches, a count per category) fails here. Not timed.
 */
import mongoose, { trusted } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { testDbUri } from '../../helpers/db';
import { login, newAgent, type Agent } from '../../helpers/http';
import { SCALE_SIZES, generateDemoData, type DemoUsers, type ScaleSize } from '../../../src/demo/generate';
import { BoardCategory, BoardThread } from '../../../src/modules/board';
import { Practice } from '../../../src/modules/practices';
import { Company } from '../../../src/modules/accounts';
import { User } from '../../../src/modules/accounts/model';
import { Announcement, Conversation, ConversationMembership } from '../../../src/modules/messages/model';
import { FairEdition } from '../../../src/modules/fair';

/** About ten documents in each collection (liaisons: one for each ASEM member). */
const FEW: ScaleSize = { companies: 10, liaisons: 45, practices: 10, threads: 3, posts: 10, messages: 10, boothRequests: 9, booths: 12, announcements: 1 };
/** The small demo data with many more of what the lists page through. */
const MANY: ScaleSize = { ...SCALE_SIZES.small, companies: 1200, practices: 500, threads: 60, posts: 3000, messages: 800, boothRequests: 300 };

/**
 * Commands that are not the page's own work: the driver's monitoring, the mail sender's outbox
 * polling, and the caches' version-stamp check (once a second per process, whichever request
 * happens to come first: src/web/cache-versions.ts).
 */
const IGNORED_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo']);
const IGNORED_COLLECTIONS = new Set(['mail_outbox', 'cache_versions']);

interface Measured {
  /** page label → the commands it sent, as "command collection". */
  pages: Map<string, string[]>;
}

async function pagesOf(agent: Agent, users: DemoUsers): Promise<{ label: string; path: string; who?: 'member' | 'liaison' | 'organizer' }[]> {
  const category = await BoardCategory.findOne().sort({ position: 1, _id: 1 }).lean();
  const busiest = await BoardThread.findOne({ category: category!._id }).sort({ postCount: -1 }).lean();
  const biggest = busiest ?? (await BoardThread.findOne().sort({ postCount: -1 }).lean());
  const threadPath = `/board/threads/${String(biggest!._id)}`;
  const html = (await agent.get(threadPath)).text;
  const lastPage = Math.max(1, ...[...html.matchAll(/[?&]page=(\d+)/g)].map((m) => Number(m[1])));
  // A business practice of a company, so both databases show the same kind of page.
  const practice = await Practice.findOne({ status: 'published', hiddenAt: null, kind: 'business' }).sort({ publishedAt: -1 }).lean();
  const company = await Company.findOne({ member: 'CN', listed: true }).lean();
  const past = await FairEdition.findOne({ status: 'archived' }).sort({ year: -1 }).lean();
  // The demo member's longest conversation, and the latest announcement to every liaison.
  const member = await User.findOne({ email: users.member.email }).lean();
  const conversations = await ConversationMembership.find({ user: member!._id }).lean();
  const longest = await Conversation.findOne({ _id: trusted({ $in: conversations.map((m) => m.conversation) }) }).sort({ messageCount: -1 }).lean();
  const announcement = await Announcement.findOne().sort({ sentAt: -1 }).lean();
  return [
    { label: 'home', path: '/' },
    { label: 'fair', path: '/fair' },
    { label: 'a past fair edition', path: `/fair/editions/${String(past!._id)}` },
    { label: 'practices', path: '/practices' },
    { label: 'practices, page 2', path: '/practices?page=2' },
    { label: 'practices search (en)', path: '/practices?q=export+partners' },
    { label: 'practices search (zh)', path: `/practices?q=${encodeURIComponent('合作')}` },
    { label: 'a practice', path: `/practices/${String(practice!._id)}` },
    { label: 'board', path: '/board' },
    { label: 'board search', path: '/board/search?q=distributors' },
    { label: 'a category', path: `/board/${category!.slug}` },
    { label: 'the longest thread', path: threadPath },
    { label: 'the longest thread, last page', path: `${threadPath}?page=${lastPage}` },
    { label: 'members', path: '/members' },
    { label: 'a member (CN)', path: '/members/CN' },
    { label: 'a company', path: `/companies/${String(company!._id)}` },
    { label: 'companies', path: '/companies' },
    { label: 'messages (member)', path: '/messages', who: 'member' },
    { label: 'liaison queue', path: '/liaison/requests', who: 'liaison' },
    { label: 'a conversation (member)', path: `/messages/${String(longest!._id)}`, who: 'member' },
    { label: 'a conversation, first page', path: `/messages/${String(longest!._id)}?page=1`, who: 'member' },
    { label: 'liaison directory', path: '/messages/liaisons' },
    { label: 'an announcement (organizer)', path: `/admin/announcements/${String(announcement!._id)}`, who: 'organizer' },
    { label: 'officials and invitations (organizer)', path: '/admin/officials', who: 'organizer' },
    { label: 'figures (organizer)', path: '/admin/figures', who: 'organizer' },
  ];
}

async function measure(size: ScaleSize): Promise<Measured> {
  const uri = new URL(testDbUri('scale'));
  uri.searchParams.set('monitorCommands', 'true');
  const t: TestApp = await createTestApp({ dbUri: uri.toString() });
  try {
    const generated = await generateDemoData({ scale: size, now: t.ctx.now(), organizer: ORGANIZER });
    const users: DemoUsers = generated.users;
    const agents: Record<string, Agent> = { anonymous: newAgent(t.app) };
    for (const who of ['member', 'liaison'] as const) {
      agents[who] = newAgent(t.app);
      await login(agents[who]!, users[who].email, users[who].password);
    }
    agents.organizer = newAgent(t.app);
    await login(agents.organizer, ORGANIZER.email, ORGANIZER.password);
    const seen: string[] = [];
    const onCommand = (e: CommandStartedEvent) => {
      if (IGNORED_COMMANDS.has(e.commandName)) return;
      const target = e.commandName === 'getMore' ? (e.command.collection as unknown) : (e.command[e.commandName] as unknown);
      const collection = typeof target === 'string' ? target : '';
      if (IGNORED_COLLECTIONS.has(collection)) return;
      seen.push(`${e.commandName} ${collection}`);
    };
    const client = mongoose.connection.getClient();
    client.on('commandStarted', onCommand);
    const pages = new Map<string, string[]>();
    try {
      for (const page of await pagesOf(agents.anonymous!, users)) {
        const agent = agents[page.who ?? 'anonymous']!;
        const first = await agent.get(page.path);
        if (first.status === 404 && page.label === 'companies') continue; // not every version of the portal has it
        expect({ page: page.label, status: first.status }).toEqual({ page: page.label, status: 200 });
        // The second request is the one counted: the first may warm a cache.
        seen.length = 0;
        const res = await agent.get(page.path);
        expect(res.status).toBe(200);
        pages.set(page.label, [...seen].sort());
      }
    } finally {
      client.off('commandStarted', onCommand);
    }
    return { pages };
  } finally {
    await t.close();
  }
}

let few: Measured;
let many: Measured;

beforeAll(async () => {
  few = await measure(FEW);
  many = await measure(MANY);
}, 300_000);

test('the command monitoring sees the pages’ queries', () => {
  expect(few.pages.get('practices')!.length).toBeGreaterThan(0);
  expect(many.pages.get('a category')!.length).toBeGreaterThan(0);
});

/** The commands one list has that the other has not (as a multiset). */
function minus(a: string[], b: string[]): string[] {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

/**
 * Pages allowed to read more with more data. None: the fair's floor plan (which reads all 300
 * booths of the hall) is drawn once per edition and language and then served from the cache, and
 * an ASEM member's companies are read a page at a time.
 */
const KNOWN_GROWTH: Record<string, string[]> = {};

test('each page makes as many round trips with many documents as with ten', () => {
  const differences: string[] = [];
  for (const [label, commands] of few.pages) {
    const more = many.pages.get(label);
    if (!more) continue;
    const added = minus(more, commands);
    const missing = minus(commands, more);
    const unexplained = minus(added, KNOWN_GROWTH[label] ?? []);
    if (unexplained.length || missing.length) differences.push(`${label}: ${commands.length} → ${more.length} (added: ${added.join(', ') || 'none'}; gone: ${missing.join(', ') || 'none'})`);
  }
  expect(differences).toEqual([]);
  expect([...many.pages.keys()]).toEqual([...few.pages.keys()]);
});
