/**
 * Pages whose content grows with use read a bounded page of it: the same database commands with a
 * handful of documents as with hundreds, and a bounded number of documents back, with a working
 * link to the rest. Counted through the driver's command monitoring (tests/helpers/reads.ts); not
 * timed.
 */
import { Types, trusted } from 'mongoose';
import type { TestApp } from '../../helpers/app';
import { ORGANIZER } from '../../helpers/app';
import { makeUser, type MadeUser } from '../../helpers/factories';
import { csrfToken, login, newAgent, postForm, type Agent } from '../../helpers/http';
import { monitoredTestApp, readsOf, type Reads } from '../../helpers/reads';
import { Announcement, AnnouncementReceipt, Conversation, PrivateMessage } from '../../../src/modules/messages/model';
import { MESSAGES_PER_PAGE } from '../../../src/modules/messages/service';
import { RECIPIENTS_PER_PAGE, REMINDER_BATCH } from '../../../src/modules/messages/announcements';
import { LIAISONS_PER_PAGE } from '../../../src/modules/messages/directory';
import { INVITATIONS_PER_PAGE } from '../../../src/modules/accounts';
import { Company, Invitation, User } from '../../../src/modules/accounts/model';
import { BoothRequest, FairEdition } from '../../../src/modules/fair/model';
import { Opportunity } from '../../../src/modules/partners/model';
import { DocumentComment, OfficialEvent, WorkingDocument } from '../../../src/modules/events/model';
import { COMMENTS_PER_PAGE, VERSIONS_SHOWN } from '../../../src/modules/events/service';

let t: TestApp;
let organizer: Agent;

beforeAll(async () => {
  t = await monitoredTestApp('bounded');
  organizer = newAgent(t.app);
  await login(organizer, ORGANIZER.email, ORGANIZER.password);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function as(user: MadeUser): Promise<Agent> {
  const agent = newAgent(t.app);
  await login(agent, user.email, user.password);
  return agent;
}

/** The reads of a page's second visit (the first may warm a cache or mark something read). */
async function pageReads(agent: Agent, path: string): Promise<Reads & { html: string }> {
  const warm = await agent.get(path);
  expect(warm.status).toBe(200);
  let html = '';
  const reads = await readsOf(async () => {
    const res = await agent.get(path);
    expect(res.status).toBe(200);
    html = res.text;
  });
  return { ...reads, html };
}

const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

describe('one conversation', () => {
  test('shows its latest page of messages with the same reads at 3 and at 300 messages, and links to older ones', async () => {
    const sme = await makeUser({ member: 'TH' });
    const liaison = await makeUser({ role: 'liaison', member: 'TH' });
    const agent = await as(sme);
    const started = await postForm(agent, '/messages/new', { recipients: liaison.id, subject: 'Export papers', body: 'Message 000' }, '/messages/new');
    expect(started.status).toBe(303);
    const id = /\/messages\/([a-f0-9]{24})/.exec(started.headers.location ?? '')![1]!;
    const write = (n: number, from: number) =>
      PrivateMessage.insertMany(Array.from({ length: n }, (_, i) => ({ conversation: new Types.ObjectId(id), author: new Types.ObjectId(i % 2 ? sme.id : liaison.id), body: `Message ${String(from + i).padStart(3, '0')}`, createdAt: new Date(Date.now() + (from + i) * 1000) })));
    const grow = async (n: number, from: number) => {
      await write(n, from);
      await Conversation.updateOne({ _id: id }, { $inc: { messageCount: n } });
    };
    await grow(2, 1);
    const few = await pageReads(agent, `/messages/${id}`);
    expect(count(few.html, /<li id="m-/g)).toBe(3);

    await grow(297, 3);
    const many = await pageReads(agent, `/messages/${id}`);
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(MESSAGES_PER_PAGE - 3);
    // One read of the messages, nothing counted: the total is the conversation's own counter.
    expect(many.commands.filter((c) => c.endsWith(' private_messages'))).toEqual(['find private_messages']);
    // The latest page, and a link to the page before it.
    expect(count(many.html, /<li id="m-/g)).toBe(MESSAGES_PER_PAGE);
    expect(many.html).toContain('Message 299');
    expect(many.html).not.toContain('Message 279');
    const older = /href="([^"]+)" rel="prev"/.exec(many.html)![1]!.replace(/&amp;/g, '&');
    const before = await agent.get(older);
    expect(before.status).toBe(200);
    expect(before.text).toContain('Message 279');
    expect(before.text).not.toContain('Message 280');
    // Reading marked it read: nothing unread left for the reader.
    expect(many.html).not.toContain('message-new');
  });
});

describe('the organizer’s view of an announcement', () => {
  test('counts from the announcement and one page of each list, the same reads at 3 and at 303 recipients', async () => {
    const liaisons = await Promise.all(['KH', 'LA', 'MM'].map((member) => makeUser({ role: 'liaison', member, name: `Official ${member}` })));
    const sent = await postForm(organizer, '/admin/announcements/new', { subject: 'Shipping deadlines', body: 'Please confirm.', audience: 'members', members: ['KH', 'LA', 'MM'] }, '/admin/announcements/new');
    expect(sent.status).toBe(303);
    const id = /\/admin\/announcements\/([a-f0-9]{24})$/.exec(sent.headers.location ?? '')![1]!;
    await postForm(await as(liaisons[0]!), `/messages/announcements/${id}/acknowledge`, {}, `/messages/announcements/${id}`);
    const path = `/admin/announcements/${id}`;
    const few = await pageReads(organizer, path);
    expect(few.html).toContain('1 of 3 acknowledged');

    // 300 more receipts (150 acknowledged), kept in the announcement's counters as the service does.
    const sentAt = new Date();
    await AnnouncementReceipt.insertMany(
      Array.from({ length: 300 }, (_, i) => ({ announcement: new Types.ObjectId(id), user: new Types.ObjectId(), member: i % 3 ? 'KH' : 'LA', acknowledged: i % 2 === 0, acknowledgedAt: i % 2 === 0 ? sentAt : null, sentAt })),
    );
    await Announcement.updateOne({ _id: id }, { $inc: { recipientCount: 300, acknowledgedCount: 150 } });
    const many = await pageReads(organizer, path);
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(2 * RECIPIENTS_PER_PAGE);
    expect(many.html).toContain('151 of 303 acknowledged');
    const [pendingPart, ackPart] = many.html.split('id="ack-heading"');
    expect(count(pendingPart!, /<tr>\s*<th scope="row">/g)).toBe(RECIPIENTS_PER_PAGE);
    expect(count(ackPart!, /<tr>\s*<th scope="row">/g)).toBe(RECIPIENTS_PER_PAGE);
    expect(pendingPart).toContain('Remind the 152 liaisons who have not acknowledged');
    // Each list has its own pager; the pending list's last page keeps the other list where it was.
    const next = /href="([^"]*pending=2[^"]*)" rel="next"/.exec(pendingPart!)![1]!.replace(/&amp;/g, '&');
    const last = await organizer.get(`${next.replace('pending=2', 'pending=4')}&acknowledged=2`);
    expect(last.status).toBe(200);
    const [lastPending, lastAck] = last.text.split('id="ack-heading"');
    expect(count(lastPending!, /<tr>\s*<th scope="row">/g)).toBe(152 - 3 * RECIPIENTS_PER_PAGE);
    expect(lastPending).toContain('Page 4 of 4');
    expect(lastAck).toContain('Page 2 of 4');
  });

  test('the reminder reads the pending receipts a batch at a time and mails only the reachable ones', async () => {
    const liaison = await makeUser({ role: 'liaison', member: 'BN', name: 'Official BN' });
    const sent = await postForm(organizer, '/admin/announcements/new', { subject: 'Badges', body: 'Collect your badge.', audience: 'members', members: ['BN'] }, '/admin/announcements/new');
    const id = /\/admin\/announcements\/([a-f0-9]{24})$/.exec(sent.headers.location ?? '')![1]!;
    const sentAt = new Date();
    const others = 2 * REMINDER_BATCH + 10;
    await AnnouncementReceipt.insertMany(Array.from({ length: others }, () => ({ announcement: new Types.ObjectId(id), user: new Types.ObjectId(), member: 'BN', acknowledged: false, acknowledgedAt: null, sentAt })));
    await Announcement.updateOne({ _id: id }, { $inc: { recipientCount: others } });
    await t.ctx.mailer.drained();
    t.smtp.clear();
    const token = await csrfToken(organizer, `/admin/announcements/${id}`);
    let status = 0;
    const reads = await readsOf(async () => {
      status = (await organizer.post(`/admin/announcements/${id}/remind`).type('form').send({ _csrf: token })).status;
    });
    expect(status).toBe(303);
    // The pending receipts came in batches: one find and getMores, never all in one answer.
    expect(reads.commands.filter((c) => c === 'find announcement_receipts').length).toBe(1);
    expect(reads.commands.filter((c) => c === 'getMore announcement_receipts').length).toBeGreaterThanOrEqual(2);
    await t.ctx.mailer.drained();
    expect(t.smtp.to(liaison.email)).toHaveLength(1);
    expect(t.smtp.mails).toHaveLength(1);
    expect(await AnnouncementReceipt.countDocuments({ announcement: id, user: liaison.id, remindedAt: trusted({ $ne: null }) })).toBe(1);
  });
});

describe('pending invitations', () => {
  test('the organizer’s list shows one page, with the same reads at 2 and at 202 pending invitations', async () => {
    const organizerId = (await User.findOne({ email: ORGANIZER.email }).lean())!._id;
    const invite = (n: number, from: number) =>
      Invitation.insertMany(Array.from({ length: n }, (_, i) => ({ email: `official-${from + i}@example.org`, name: `Official ${from + i}`, member: 'PH', invitedBy: organizerId, sentAt: new Date(Date.now() - (from + i) * 60_000) })));
    await invite(2, 0);
    const few = await pageReads(organizer, '/admin/officials');
    expect(few.html).toContain('official-1@example.org');

    await invite(200, 2);
    const many = await pageReads(organizer, '/admin/officials');
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(INVITATIONS_PER_PAGE);
    expect(count(many.html, /\/resend"/g)).toBe(INVITATIONS_PER_PAGE);
    expect(many.html).toContain('official-0@example.org'); // newest first
    expect(many.html).not.toContain(`official-${INVITATIONS_PER_PAGE}@example.org`);
    const next = await organizer.get(/href="([^"]+)" rel="next"/.exec(many.html)![1]!.replace(/&amp;/g, '&'));
    expect(next.status).toBe(200);
    expect(next.text).toContain(`official-${INVITATIONS_PER_PAGE}@example.org`);
    expect(next.text).toContain('Page 2');
    expect(next.text).toContain('rel="prev"');
  });
});

describe('a working document of an event', () => {
  test('shows the latest versions and one page of one version’s comments, with the same reads at 2 and at 40 versions with 300 comments', async () => {
    const official = await makeUser({ role: 'liaison', member: 'SG', company: false });
    const agent = await as(official);
    const organizerId = (await User.findOne({ email: ORGANIZER.email }).lean())!._id;
    const now = new Date();
    const event = await OfficialEvent.create({ kind: 'som', title: { en: 'SOM', 'zh-CN': '高官会' }, description: { en: 'Meeting', 'zh-CN': '会议' }, startsAt: new Date(now.getTime() + 30 * 86_400_000), endsAt: new Date(now.getTime() + 32 * 86_400_000), timeZone: 'Asia/Singapore', hostMember: 'SG', city: 'Singapore', visibility: 'officials', createdBy: organizerId, createdAt: now, updatedAt: now });
    const version = (number: number) => ({ number, file: { storedName: `v${number}.pdf`, originalName: `agenda-v${number}.pdf`, size: 100, kind: 'pdf' as const, mime: 'application/pdf' }, changeNote: `Change ${number}`, uploadedAt: new Date(now.getTime() + number * 1000) });
    const document = await WorkingDocument.create({ event: event._id, kind: 'agenda', title: 'Draft agenda', versions: [version(1), version(2)] });
    const comment = (v: number, i: number) => ({ document: document._id, version: v, author: new Types.ObjectId(official.id), authorName: 'Official SG', member: 'SG', body: `Comment ${v}-${String(i).padStart(3, '0')}`, createdAt: new Date(now.getTime() + i * 1000) });
    await DocumentComment.insertMany([comment(1, 0), comment(2, 0)]);
    const path = `/events/${String(event._id)}/documents/${String(document._id)}`;
    const few = await pageReads(agent, path);
    expect(few.html).toContain('Comment 2-000');

    await WorkingDocument.updateOne({ _id: document._id }, { $push: { versions: { $each: Array.from({ length: 38 }, (_, i) => version(i + 3)) } } });
    await DocumentComment.insertMany([...Array.from({ length: 300 }, (_, i) => comment(40, i + 1)), ...Array.from({ length: 50 }, (_, i) => comment(35, i + 1))]);
    const many = await pageReads(agent, path);
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(COMMENTS_PER_PAGE + VERSIONS_SHOWN);
    // The latest versions only, a count on each, and the latest version's first page of comments.
    expect(count(many.html, /<h2 id="v\d+"/g)).toBe(VERSIONS_SHOWN);
    expect(many.html).toContain('id="v40"');
    expect(many.html).not.toContain(`id="v${40 - VERSIONS_SHOWN}"`);
    expect(many.html).toContain('30 earlier versions are not');
    expect(many.html).toContain('300 comments');
    expect(many.html).toContain('50 comments');
    expect(count(many.html, /Comment 40-\d+/g)).toBe(COMMENTS_PER_PAGE);
    expect(many.html).toContain('Comment 40-001');
    expect(many.html).not.toContain('Comment 35-');
    const next = await agent.get(/href="([^"]+)" rel="next"/.exec(many.html)![1]!.replace(/&amp;/g, '&'));
    expect(next.text).toContain(`Comment 40-0${COMMENTS_PER_PAGE + 1}`);
    // Another version's comments are a link away.
    const other = await agent.get(`${path}?v=35`);
    expect(count(other.text, /Comment 35-\d+/g)).toBe(COMMENTS_PER_PAGE);
    expect(other.text).not.toContain('Comment 40-');
  });
});

describe('the organizer’s figures', () => {
  test('count in the database: the same reads, and only grouped rows back, with 3 and with 243 companies, accounts and booth requests', async () => {
    const edition = await FairEdition.findOne().sort({ year: -1 }).lean();
    const sectors = ['agriculture', 'manufacturing', 'ict'] as const;
    let n = 0;
    const grow = async (howMany: number) => {
      const users = Array.from({ length: howMany }, () => ({ _id: new Types.ObjectId(), company: new Types.ObjectId(), n: n++ }));
      const member = (i: number) => ['DE', 'TH', 'FR', 'CN'][i % 4]!;
      await User.insertMany(users.map((u) => ({ _id: u._id, email: `figures-${u.n}@example.org`, passwordHash: 'x', name: `SME ${u.n}`, role: 'member', member: member(u.n), status: 'active', company: u.company, createdAt: new Date(Date.UTC(2026, u.n % 12, 5)) })));
      await Company.insertMany(users.map((u) => ({ _id: u.company, name: `Company ${u.n}`, member: member(u.n), sector: sectors[u.n % 3], size: 'micro', owner: u._id })));
      await BoothRequest.insertMany(
        users.map((u) => ({ edition: edition!._id, company: u.company, companyName: `Company ${u.n}`, member: member(u.n), requester: u._id, contactName: 'Contact', phone: '+49 30 1234', products: 'Tea', boothCount: 1, status: ['submitted', 'approved', 'confirmed'][u.n % 3], active: true })),
      );
    };
    await grow(3);
    const few = await pageReads(organizer, '/admin/figures');
    await grow(240);
    const many = await pageReads(organizer, '/admin/figures');
    expect(many.commands).toEqual(few.commands);
    // 12 months × 4 members, 4 members × 3 sectors, 4 members × 3 statuses at most in grouped rows.
    expect(many.documents - few.documents).toBeLessThanOrEqual(12 * 4 + 4 * 3 + 4 * 3);
  });
});

describe('the liaison directory', () => {
  test('shows a page of liaisons grouped by member, with the same reads at a few and at 120 more', async () => {
    const visitor = newAgent(t.app);
    const few = await pageReads(visitor, '/messages/liaisons');
    const before = count(few.html, /<tr>\s*<th scope="row">/g);
    expect(before).toBeLessThan(LIAISONS_PER_PAGE);
    const members = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ'];
    await User.insertMany(
      Array.from({ length: 120 }, (_, i) => ({ email: `directory-${i}@example.org`, passwordHash: 'x', name: `Directory Official ${String(i).padStart(3, '0')}`, role: 'liaison', member: members[i % members.length], status: 'active', emailVerifiedAt: new Date() })),
    );
    const many = await pageReads(visitor, '/messages/liaisons');
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(LIAISONS_PER_PAGE - before);
    expect(count(many.html, /<tr>\s*<th scope="row">/g)).toBe(LIAISONS_PER_PAGE);
    const pages = Math.ceil((before + 120) / LIAISONS_PER_PAGE);
    expect(many.html).toContain(`Page 1 of ${pages}`);
    const last = await visitor.get(`/messages/liaisons?page=${pages}`);
    expect(last.status).toBe(200);
    expect(count(last.text, /<tr>\s*<th scope="row">/g)).toBe(before + 120 - (pages - 1) * LIAISONS_PER_PAGE);
  });
});

describe('the organizer’s partnering figures', () => {
  test('count opportunities by state in two $group reads, the same with 4 and with 244 opportunities', async () => {
    const author = new Types.ObjectId();
    let n = 0;
    // Of every four: open, hidden, closed with a partner found, closed for another reason.
    const add = (howMany: number) =>
      Opportunity.insertMany(
        Array.from({ length: howMany }, () => {
          const i = n++;
          return {
            kind: 'offer', title: `Opportunity ${i}`, description: 'Tea', descriptionHtml: '<p>Tea</p>', cooperationType: 'distribution', language: 'en', member: ['DE', 'TH'][i % 2], author, authorRole: 'member', expiresAt: new Date(Date.now() + 86_400_000),
            hiddenAt: i % 4 === 1 ? new Date() : null, closedAt: i % 4 >= 2 ? new Date() : null, closeReason: i % 4 === 2 ? 'partnerFound' : i % 4 === 3 ? 'withdrawn' : null,
          };
        }),
      );
    await add(4);
    const few = await pageReads(organizer, '/admin/partners');
    expect(few.html).toMatch(/Open opportunities<\/dt><dd>1<\/dd>/);
    await add(240);
    const many = await pageReads(organizer, '/admin/partners');
    expect(many.commands).toEqual(few.commands);
    expect(many.documents - few.documents).toBeLessThanOrEqual(2 * 8);
    expect(many.html).toMatch(/Open opportunities<\/dt><dd>61<\/dd>/);
    expect(many.html).toMatch(/Closed opportunities<\/dt><dd>122 \([^()<]+: 61\)<\/dd>/);
  });
});
