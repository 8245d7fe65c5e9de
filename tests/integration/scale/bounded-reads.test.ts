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
import { INVITATIONS_PER_PAGE } from '../../../src/modules/accounts';
import { Invitation, User } from '../../../src/modules/accounts/model';

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
