/**
 * The demo data (src/demo/generate.ts) at the "small" scale, on a test database that had the
 * start-up seed: the counts asked for, and every derived field equal to the value recomputed from
 * the documents it derives from (thread and conversation counters, unread counts, receipts,
 * quota counters, search terms, rendered Markdown). Its accounts sign in with the documented password.
 * The checks read whole collections on purpose: through the _id index (`hint`) and counted from the
 * collection's size, since the portal's tests refuse collection scans (notablescan).
 */
import { Types, trusted } from 'mongoose';
import { createTestApp, ORGANIZER, type TestApp } from '../../helpers/app';
import { login, newAgent } from '../../helpers/http';
import { DEMO_PASSWORD, SCALE_SIZES, generateDemoData, type GenerateResult } from '../../../src/demo/generate';
import { textTerms } from '../../../src/web/search';
import { MARKDOWN_VERSION, renderMarkdown } from '../../../src/web/markdown';
import { COMPANY_TERMS_VERSION, Company, User } from '../../../src/modules/accounts';
import { PRACTICE_SEARCH_VERSION, Practice } from '../../../src/modules/practices';
import { BoardPost, BoardThread } from '../../../src/modules/board';
import { BoothAssignment, BoothRequest, FairEdition, QuotaCounter, Booth } from '../../../src/modules/fair';
import { Announcement, AnnouncementReceipt, Conversation, ConversationMembership, PrivateMessage } from '../../../src/modules/messages';

const ACTIVE = ['draft', 'submitted', 'endorsed', 'approved', 'waitlisted', 'confirmed'];
const size = SCALE_SIZES.small;
let t: TestApp;
let result: GenerateResult;

beforeAll(async () => {
  t = await createTestApp();
  result = await generateDemoData({ scale: 'small', now: new Date(), organizer: ORGANIZER });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

test('the counts asked for', async () => {
  expect(await Company.estimatedDocumentCount()).toBe(size.companies);
  expect(await User.countDocuments({ role: 'liaison' })).toBe(size.liaisons);
  expect(await User.countDocuments({ role: 'member' })).toBe(size.companies);
  expect(await Practice.estimatedDocumentCount()).toBe(size.practices);
  expect(await BoardThread.estimatedDocumentCount()).toBe(size.threads);
  expect(await BoardPost.estimatedDocumentCount()).toBe(size.posts);
  expect(await PrivateMessage.estimatedDocumentCount()).toBe(size.messages);
  expect(await BoothRequest.estimatedDocumentCount()).toBe(size.boothRequests);
  expect(await Announcement.estimatedDocumentCount()).toBe(size.announcements);
  expect(await FairEdition.estimatedDocumentCount()).toBe(3);
  for (const e of await FairEdition.find().hint({ _id: 1 }).lean()) expect(await Booth.countDocuments({ edition: e._id })).toBe(size.booths);
  expect(result.counts['board posts']).toBe(size.posts);
  // Skewed: China has the most companies; the two organisations have liaisons but no companies.
  const perMember = await Company.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$member', n: { $sum: 1 } } }, { $sort: { n: -1 } }]).hint({ _id: 1 });
  expect(perMember[0]!._id).toBe('CN');
  expect(perMember.some((m) => m._id === 'ASEAN' || m._id === 'EC')).toBe(false);
});

test('every record the figures count carries the demo flag, so the figures leave it out', async () => {
  // Whole collections are read on purpose, through the _id index (notablescan is on in the tests).
  const notDemo = { demo: trusted({ $ne: true }) };
  expect(await User.find({ ...notDemo, role: trusted({ $ne: 'organizer' }) }, { _id: 1 }).hint({ _id: 1 }).lean()).toEqual([]);
  for (const model of [Company, Practice, BoardThread, BoardPost, Conversation, PrivateMessage, BoothRequest] as const) {
    expect(await (model as unknown as typeof Company).find(notDemo, { _id: 1 }).hint({ _id: 1 }).lean()).toEqual([]);
  }
});

test('board threads: counters, last activity and poster equal the posts', async () => {
  const posts = await BoardPost.find({}, { thread: 1, number: 1, createdAt: 1, authorName: 1, body: 1, html: 1, htmlVersion: 1, searchTerms: 1 }).sort({ thread: 1, number: 1 }).lean();
  const byThread = new Map<string, typeof posts>();
  for (const p of posts) byThread.set(String(p.thread), [...(byThread.get(String(p.thread)) ?? []), p]);
  for (const thread of await BoardThread.find().hint({ _id: 1 }).lean()) {
    const own = byThread.get(String(thread._id)) ?? [];
    expect(own.map((p) => p.number)).toEqual(own.map((_, i) => i + 1));
    expect(thread.postCount).toBe(own.length);
    expect(thread.replyCount).toBe(own.length - 1);
    const last = own[own.length - 1]!;
    expect(thread.lastActivityAt.getTime()).toBe(last.createdAt.getTime());
    expect(thread.lastPosterName).toBe(last.authorName);
    const first = own[0]!;
    expect(first.searchTerms).toEqual(textTerms(thread.title, first.body));
  }
  for (const p of posts) {
    expect(p.htmlVersion).toBe(MARKDOWN_VERSION);
    expect(p.html).toBe(p.body ? renderMarkdown(p.body, 'board') : '');
    if (p.number > 1) expect(p.searchTerms).toEqual(textTerms(p.body));
    if (p.body) expect(p.searchTerms.length).toBeGreaterThan(0);
  }
});

test('practices: search terms and rendered body as the service makes them', async () => {
  const practices = await Practice.find({}, { title: 1, summary: 1, body: 1, results: 1, bodyHtml: 1, bodyHtmlVersion: 1, searchTerms: 1, searchVersion: 1, status: 1, publishedAt: 1 })
    .hint({ _id: 1 })
    .lean();
  for (const p of practices) {
    // Exactly the service's terms and version: the portal's start-up finds nothing to re-index.
    expect(p.searchTerms).toEqual(textTerms(p.title, p.summary, p.body, p.results));
    expect(p.searchVersion).toBe(PRACTICE_SEARCH_VERSION);
    expect(p.bodyHtml).toBe(renderMarkdown(p.body, 'practices'));
    expect(p.bodyHtmlVersion).toBe(MARKDOWN_VERSION);
    expect(p.publishedAt === null).toBe(p.status === 'draft');
  }
  const languages = [...new Set((await Practice.find({}, { language: 1 }).hint({ _id: 1 }).lean()).map((p) => p.language))];
  expect(languages.sort()).toEqual(['en', 'zh']);
  expect(practices.length).toBe(size.practices);
  expect((await Practice.find({}, { attachments: 1 }).hint({ _id: 1 }).lean()).filter((p) => p.attachments.length > 0).length).toBeGreaterThan(0);
});

test('companies: search terms as the partner profile makes them', async () => {
  const companies = await Company.find({}, { name: 1, products: 1, offers: 1, seeks: 1, searchTerms: 1, searchTermsVersion: 1 }).hint({ _id: 1 }).lean();
  expect(companies.length).toBe(size.companies);
  for (const c of companies) {
    expect(c.searchTerms).toEqual(textTerms(c.name, c.products, c.offers, c.seeks));
    expect(c.searchTermsVersion).toBe(COMPANY_TERMS_VERSION);
  }
});

test('conversations: message counts, last message and unread counts recomputed from the messages', async () => {
  const messages = await PrivateMessage.find().sort({ createdAt: 1 }).hint({ _id: 1 }).lean();
  const byConversation = new Map<string, typeof messages>();
  for (const m of messages) byConversation.set(String(m.conversation), [...(byConversation.get(String(m.conversation)) ?? []), m]);
  const conversations = await Conversation.find().hint({ _id: 1 }).lean();
  expect(conversations.length).toBeGreaterThan(0);
  for (const c of conversations) {
    const own = byConversation.get(String(c._id)) ?? [];
    expect(c.messageCount).toBe(own.length);
    expect(c.lastMessageAt.getTime()).toBe(own[own.length - 1]!.createdAt.getTime());
    const memberships = await ConversationMembership.find({ conversation: c._id }).lean();
    expect(memberships.map((m) => String(m.user)).sort()).toEqual(c.participants.map(String).sort());
    for (const m of memberships) {
      const unread = own.filter((x) => !x.author.equals(m.user) && (!m.lastReadAt || x.createdAt > m.lastReadAt)).length;
      expect(m.unread).toBe(unread);
      expect(m.lastMessageAt.getTime()).toBe(c.lastMessageAt.getTime());
    }
  }
  const member = await User.findOne({ email: result.users.member.email }).lean();
  expect(await ConversationMembership.countDocuments({ user: member!._id })).toBeGreaterThanOrEqual(3);
});

test('announcements: recipient and acknowledgement counts equal their receipts', async () => {
  for (const a of await Announcement.find().hint({ _id: 1 }).lean()) {
    expect(await AnnouncementReceipt.countDocuments({ announcement: a._id })).toBe(a.recipientCount);
    expect(await AnnouncementReceipt.countDocuments({ announcement: a._id, acknowledged: true })).toBe(a.acknowledgedCount);
    expect(await AnnouncementReceipt.countDocuments({ announcement: a._id, acknowledged: true, acknowledgedAt: null })).toBe(0);
  }
});

test('the fair: active flags, one active request per company, booths held once, quota counters equal the assignments', async () => {
  const requests = await BoothRequest.find().hint({ _id: 1 }).lean();
  for (const r of requests) {
    expect(r.active).toBe(ACTIVE.includes(r.status));
    expect(r.timeline[r.timeline.length - 1]!.to).toBe(r.status);
    expect(r.booths.length > 0).toBe(r.status === 'approved' || r.status === 'confirmed');
    if (r.booths.length) expect(r.booths.length).toBe(r.boothCount);
  }
  const activeKeys = requests.filter((r) => r.active).map((r) => `${String(r.edition)}:${String(r.company)}`);
  expect(new Set(activeKeys).size).toBe(activeKeys.length);
  const assignments = await BoothAssignment.find().hint({ _id: 1 }).lean();
  expect(assignments.length).toBe(requests.reduce((n, r) => n + r.booths.length, 0));
  expect(assignments.length).toBeGreaterThan(0);
  const used = new Map<string, number>();
  for (const a of assignments) used.set(`${String(a.edition)}:${a.member}`, (used.get(`${String(a.edition)}:${a.member}`) ?? 0) + 1);
  const counters = await QuotaCounter.find().hint({ _id: 1 }).lean();
  expect(counters.length).toBe(used.size);
  for (const c of counters) {
    expect(c.used).toBe(used.get(`${String(c.edition)}:${c.member}`));
    expect(c.used).toBeLessThanOrEqual(c.quota);
  }
  // Every assigned booth belongs to the request's edition.
  for (const a of assignments) expect(await Booth.countDocuments({ _id: a.booth, edition: a.edition as Types.ObjectId })).toBe(1);
});

test('the demo accounts sign in with the documented password', async () => {
  expect(result.users.member.password).toBe(DEMO_PASSWORD);
  for (const who of [result.users.member, result.users.liaison]) {
    const agent = newAgent(t.app);
    await login(agent, who.email, who.password);
    const page = await agent.get('/messages');
    expect(page.status).toBe(200);
  }
});
