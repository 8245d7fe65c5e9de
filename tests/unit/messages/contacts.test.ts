/**
 * mayContact as a matrix, and the services' own checks (without HTTP).
 */
import mongoose, { Types } from 'mongoose';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { makeUser } from '../../helpers/factories';
import { toActor } from '../../../src/modules/accounts';
import type { Actor } from '../../../src/kernel';
import { User } from '../../../src/modules/accounts/model';
import { NotFoundError, ValidationError } from '../../../src/kernel';
import type { Mailer, MailContent, Recipient } from '../../../src/web/mail';
import { mayContact, listContactable, type Party } from '../../../src/modules/messages/contacts';
import { createMessagesService } from '../../../src/modules/messages/services';
import { seedAsemMembers } from '../../../src/modules/members/service';

// A slow shared machine: password hashing and several logins per test.
jest.setTimeout(30_000);


const P = (id: string, role: Party['role'], member: string | null): Party => ({ id, role, member });
const organizer = P('o1', 'organizer', null);
const organizer2 = P('o2', 'organizer', null);
const liaisonDE = P('l1', 'liaison', 'DE');
const liaisonDE2 = P('l2', 'liaison', 'DE');
const liaisonFR = P('l3', 'liaison', 'FR');
const memberDE = P('m1', 'member', 'DE');
const memberDE2 = P('m2', 'member', 'DE');
const memberFR = P('m3', 'member', 'FR');

describe('mayContact', () => {
  const matrix: [Party, Party, boolean][] = [
    [memberDE, liaisonDE, true],
    [memberDE, liaisonFR, false],
    [memberDE, memberDE2, false],
    [memberDE, memberFR, false],
    [memberDE, organizer, false],
    [liaisonDE, liaisonDE2, true],
    [liaisonDE, liaisonFR, true],
    [liaisonDE, organizer, true],
    [liaisonDE, memberDE, true],
    [liaisonDE, memberFR, false],
    [organizer, memberFR, true],
    [organizer, liaisonFR, true],
    [organizer, organizer2, true],
    [organizer, organizer, false],
    [liaisonDE, liaisonDE, false],
    [memberDE, memberDE, false],
  ];
  test.each(matrix)('%o → %o: %s', (a, b, expected) => {
    expect(mayContact(a, b)).toBe(expected);
  });
  test('a member or liaison without an ASEM member reaches no SME', () => {
    expect(mayContact(P('x', 'member', null), P('y', 'liaison', null))).toBe(false);
    expect(mayContact(P('x', 'liaison', null), P('y', 'member', null))).toBe(false);
  });
});

class FakeMailer implements Mailer {
  sent: { to: Recipient; content: MailContent }[] = [];
  async send(): Promise<void> {}
  async notify(to: Recipient, content: MailContent): Promise<void> {
    this.sent.push({ to, content });
  }
  start(): void {}
  async drained(): Promise<void> {}
  async close(): Promise<void> {}
}

describe('services', () => {
  const mailer = new FakeMailer();
  let shift = 0; // milliseconds the service's clock runs ahead of (or behind) real time
  const messages = createMessagesService({ mailer, baseUrl: 'http://x.test', clock: () => new Date(Date.now() + shift) });
  /** The service with its clock moved by ms for the calls that follow (reset before each test). */
  const shifted = (ms: number) => {
    shift = ms;
    return messages;
  };
  async function actor(opts: Parameters<typeof makeUser>[0]): Promise<Actor> {
    const made = await makeUser(opts);
    return toActor((await User.findById(made.id).lean())!);
  }

  beforeAll(async () => {
    await connectTestDb('u');
    await seedAsemMembers();
  });
  afterAll(async () => {
    await disconnectTestDb();
  });
  beforeEach(() => {
    mailer.sent = [];
    shift = 0;
  });

  test('listContactable agrees with mayContact and skips suspended and unverified accounts', async () => {
    const me = await actor({ role: 'member', member: 'AT' });
    const own = await actor({ role: 'liaison', member: 'AT' });
    await actor({ role: 'liaison', member: 'AT', status: 'suspended' });
    await actor({ role: 'liaison', member: 'AT', verified: false });
    await actor({ role: 'liaison', member: 'BE' });
    const { contacts } = await listContactable(me);
    expect(contacts.map((c) => c.id)).toEqual([own.id]);
  });

  test('a conversation with a suspended person is refused, nothing stored', async () => {
    const me = await actor({ role: 'liaison', member: 'AT' });
    const gone = await actor({ role: 'liaison', member: 'BE', status: 'suspended' });
    await expect(messages.startConversation(me, { recipients: [gone.id], subject: 'S', body: 'B' })).rejects.toBeInstanceOf(ValidationError);
    expect(mailer.sent).toHaveLength(0);
  });

  test('notifications are throttled per recipient and re-armed by reading', async () => {
    const a = await actor({ role: 'liaison', member: 'BG' });
    const b = await actor({ role: 'liaison', member: 'HR' });
    const c = await actor({ role: 'liaison', member: 'CY' });
    const id = await messages.startConversation(a, { recipients: [b.id, c.id], subject: 'Three of us', body: 'One' });
    expect(mailer.sent.map((m) => m.to.email).sort()).toEqual([b.email, c.email].sort());
    await Promise.all([messages.replyToConversation(a, id, 'Two'), messages.replyToConversation(a, id, 'Three')]);
    expect(mailer.sent).toHaveLength(2);
    expect(await messages.countUnreadMessages(b.id)).toBe(3);
    await messages.readConversation(b, id);
    expect(await messages.countUnreadMessages(b.id)).toBe(0);
    expect(await messages.countUnreadMessages(c.id)).toBe(3);
    await messages.replyToConversation(a, id, 'Four');
    expect(mailer.sent.map((m) => m.to.email)).toEqual(expect.arrayContaining([b.email]));
    expect(mailer.sent.filter((m) => m.to.email === b.email)).toHaveLength(2);
    expect(mailer.sent.filter((m) => m.to.email === c.email)).toHaveLength(1);
  });

  test('non-participants get NotFoundError, including the organizer', async () => {
    const a = await actor({ role: 'liaison', member: 'DK' });
    const b = await actor({ role: 'liaison', member: 'EE' });
    const org = await actor({ role: 'organizer' });
    const id = await messages.startConversation(a, { recipients: [b.id], subject: 'S', body: 'B' });
    await expect(messages.readConversation(org, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(messages.replyToConversation(org, id, 'x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(messages.readConversation(a, new Types.ObjectId().toHexString())).rejects.toBeInstanceOf(NotFoundError);
    await expect(messages.readConversation(a, '../etc')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('announcements: only the organizer sends; acknowledgements counted once; reminders skip those who acknowledged', async () => {
    const org = await actor({ role: 'organizer' });
    const l1 = await actor({ role: 'liaison', member: 'FI' });
    const l2 = await actor({ role: 'liaison', member: 'FI' });
    const liaison = await actor({ role: 'liaison', member: 'GR' });
    await expect(messages.sendAnnouncement(liaison, { subject: 'S', body: 'B', audience: 'all', members: [] })).rejects.toThrow();
    const id = await messages.sendAnnouncement(org, { subject: 'S', body: 'B', audience: 'members', members: ['FI'] });
    expect(mailer.sent.map((m) => m.to.email).sort()).toEqual([l1.email, l2.email].sort());
    expect(await messages.countPendingAnnouncements(l1.id)).toBe(1);
    expect(await messages.acknowledgeAnnouncement(l1, id)).toBe(true);
    expect(await messages.acknowledgeAnnouncement(l1, id)).toBe(false);
    await expect(messages.acknowledgeAnnouncement(liaison, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await messages.countPendingAnnouncements(l1.id)).toBe(0);
    const status = await messages.announcementStatus(org, id);
    expect(status.acknowledged.rows.map((r) => r.id)).toEqual([l1.id]);
    expect(status.pending.rows.map((r) => r.id)).toEqual([l2.id]);
    expect(status.announcement.acknowledgedCount).toBe(1);
    // The liaison's list puts what is still to acknowledge first, then the newest.
    const later = await shifted(60_000).sendAnnouncement(org, { subject: 'Later', body: 'B', audience: 'members', members: ['FI'] });
    const older = await shifted(-60_000).sendAnnouncement(org, { subject: 'Older', body: 'B', audience: 'members', members: ['FI'] });
    shift = 0;
    await messages.acknowledgeAnnouncement(l1, later);
    const received = await messages.listReceivedAnnouncements(l1, { skip: 0, perPage: 10 });
    expect(received.items.map((a) => a.id)).toEqual([older, later, id]); // pending, then acknowledged newest first
    expect(received.pending).toBe(1);
    mailer.sent = [];
    expect(await messages.remindPending(org, id)).toBe(1);
    expect(mailer.sent.map((m) => m.to.email)).toEqual([l2.email]);
    expect(mailer.sent[0]!.content.subject.key).toBe('messages:email.announcement.reminderSubject');
  });
});
