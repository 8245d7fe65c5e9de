/**
 * Organizer announcements to the liaison network. The recipients are the active liaisons of the
 * audience when it is sent (a receipt each); every liaison acknowledges each announcement, and the
 * organizer can remind — by e-mail — only those who have not.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock } from '../../kernel';
import { assertRole } from '../../kernel';
import { NotFoundError, ValidationError, objectIdOr404 } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { fields } from '../../web/forms';
import { markdownExcerpt, renderMarkdown } from '../../web/markdown';
import { liaisonsOf, publicProfiles, reachablePeople, type Person } from '../accounts';
import { recordAudit } from '../audit';
import { Announcement, AnnouncementReceipt, AUDIENCES, type AnnouncementDoc, type ReceiptDoc } from './model';
import { messageBody, SUBJECT_MAX } from './service';

export const ANNOUNCEMENTS_PER_PAGE = 20;

export const AnnouncementForm = z
  .object({
    subject: fields.text(SUBJECT_MAX),
    body: messageBody(),
    audience: z.enum(AUDIENCES),
    members: fields.list(z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{2,12}$/, 'validation:invalidChoice')).pipe(z.array(z.string()).max(60)),
  })
  .superRefine((v, ctx) => {
    if (v.audience === 'members' && v.members.length === 0) ctx.addIssue({ code: 'custom', path: ['members'], message: 'messages:errors.chooseMembers' });
  });
export type AnnouncementInput = z.infer<typeof AnnouncementForm>;

/** What sending announcements needs (the messages service's dependencies). */
export interface AnnouncementDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}

async function mailAnnouncement(mailer: Mailer, baseUrl: string, a: Pick<AnnouncementDoc, '_id' | 'subject' | 'body'>, to: Person, kind: 'sent' | 'reminder'): Promise<void> {
  await mailer.notify(
    { email: to.email, name: to.name, language: to.language },
    {
      subject: { key: `messages:email.announcement.${kind}Subject`, params: { subject: a.subject } },
      lines: [{ key: `messages:email.announcement.${kind}Intro` }, { quote: `${a.subject}\n\n${markdownExcerpt(a.body, 1500)}` }, { key: 'messages:email.announcement.acknowledge' }],
      action: { label: { key: 'messages:email.announcement.action' }, url: `${baseUrl}/messages/announcements/${String(a._id)}` },
    },
  );
}

/** Sends an announcement; refuses (nothing stored) when the audience has no liaison. */
export async function sendAnnouncement(deps: AnnouncementDeps, actor: Actor, input: AnnouncementInput): Promise<string> {
  assertRole(actor, 'organizer');
  const members = input.audience === 'members' ? [...new Set(input.members)] : [];
  const everyLiaison = await liaisonsOf();
  const liaisons = input.audience === 'members' ? everyLiaison.filter((l) => l.member !== null && members.includes(l.member)) : everyLiaison;
  if (!liaisons.length) throw new ValidationError(input.audience === 'members' ? { members: { key: 'messages:errors.noLiaisons' } } : { audience: { key: 'messages:errors.noLiaisons' } });
  const now = deps.clock();
  const announcement = await Announcement.create({
    subject: input.subject,
    body: input.body,
    sentBy: new Types.ObjectId(actor.id),
    audience: input.audience,
    members,
    recipientCount: liaisons.length,
    acknowledgedCount: 0,
    sentAt: now,
  });
  await AnnouncementReceipt.insertMany(liaisons.map((l) => ({ announcement: announcement._id, user: new Types.ObjectId(l.id), member: l.member ?? '', acknowledged: false, acknowledgedAt: null, sentAt: now })));
  await recordAudit({ actor, action: 'announcement.send', targetType: 'Announcement', targetId: String(announcement._id), after: { subject: input.subject, audience: input.audience, members, recipients: liaisons.length }, at: now });
  await Promise.all(liaisons.map((l) => mailAnnouncement(deps.mailer, deps.baseUrl, announcement, l, 'sent')));
  return String(announcement._id);
}

export interface AnnouncementSummary {
  id: string;
  subject: string;
  audience: string;
  members: string[];
  recipientCount: number;
  acknowledgedCount: number;
  sentAt: Date;
  lastRemindedAt: Date | null;
}

function summary(a: AnnouncementDoc): AnnouncementSummary {
  return {
    id: String(a._id),
    subject: a.subject,
    audience: a.audience,
    members: a.members ?? [],
    recipientCount: a.recipientCount,
    acknowledgedCount: a.acknowledgedCount,
    sentAt: a.sentAt,
    lastRemindedAt: a.lastRemindedAt ?? null,
  };
}

export async function listAnnouncements(actor: Actor, page: { skip: number; perPage: number }): Promise<{ items: AnnouncementSummary[]; total: number }> {
  assertRole(actor, 'organizer');
  const [rows, total] = await Promise.all([
    Announcement.find({}).sort({ sentAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<AnnouncementDoc[]>(),
    Announcement.countDocuments({}),
  ]);
  return { items: rows.map(summary), total };
}

export interface RecipientStatus {
  id: string;
  name: string;
  member: string;
  agency: string;
  acknowledgedAt: Date | null;
  remindedAt: Date | null;
}

/** Rows per list on the organizer's view of one announcement (who has, who has not acknowledged). */
export const RECIPIENTS_PER_PAGE = 50;
/** Receipts read at a time when reminding: the reminder never holds every pending liaison at once. */
export const REMINDER_BATCH = 100;

const RECIPIENT_FIELDS = { user: 1, member: 1, acknowledgedAt: 1, remindedAt: 1 } as const;

export interface RecipientList {
  rows: RecipientStatus[];
  total: number;
  page: { page: number; perPage: number; skip: number };
}

async function recipientPage(id: Types.ObjectId, acknowledged: boolean, total: number, page: { page: number; perPage: number; skip: number }): Promise<RecipientList> {
  // A page past the end shows the last one (the list may have shrunk since the link was made).
  const pages = Math.max(1, Math.ceil(total / page.perPage));
  const n = Math.min(page.page, pages);
  const current = { page: n, perPage: page.perPage, skip: (n - 1) * page.perPage };
  const receipts = total
    ? await AnnouncementReceipt.find({ announcement: id, acknowledged }, RECIPIENT_FIELDS).sort({ member: 1, _id: 1 }).skip(current.skip).limit(current.perPage).lean<ReceiptDoc[]>()
    : [];
  const byId = receipts.length ? await publicProfiles(receipts.map((r) => r.user)) : new Map<string, { name: string; agency: string }>();
  const rows = receipts.map((r) => ({
    id: String(r.user),
    name: byId.get(String(r.user))?.name ?? '',
    member: r.member,
    agency: byId.get(String(r.user))?.agency ?? '',
    acknowledgedAt: r.acknowledgedAt,
    remindedAt: r.remindedAt,
  }));
  return { rows, total, page: current };
}

/**
 * The organizer's view: the announcement, how many have acknowledged it (the announcement's own
 * counters, kept with every acknowledgement) and one page of each list — who has not acknowledged
 * and who has — by ASEM member, read on the { announcement, acknowledged, member } index.
 */
export async function announcementStatus(
  actor: Actor,
  announcementId: string,
  pages: { pending: { page: number; perPage: number; skip: number }; acknowledged: { page: number; perPage: number; skip: number } } = {
    pending: { page: 1, perPage: RECIPIENTS_PER_PAGE, skip: 0 },
    acknowledged: { page: 1, perPage: RECIPIENTS_PER_PAGE, skip: 0 },
  },
): Promise<{ announcement: AnnouncementSummary & { html: string }; acknowledged: RecipientList; pending: RecipientList }> {
  assertRole(actor, 'organizer');
  const id = objectIdOr404(announcementId);
  const a = await Announcement.findById(id).lean<AnnouncementDoc>();
  if (!a) throw new NotFoundError();
  const acknowledgedCount = Math.min(a.acknowledgedCount, a.recipientCount);
  const [pending, acknowledged] = await Promise.all([
    recipientPage(id, false, a.recipientCount - acknowledgedCount, pages.pending),
    recipientPage(id, true, acknowledgedCount, pages.acknowledged),
  ]);
  return { announcement: { ...summary(a), html: renderMarkdown(a.body, 'messages') }, acknowledged, pending };
}

/**
 * E-mails the liaisons who have not acknowledged yet; returns how many were reminded. The pending
 * receipts are read through a cursor, a batch at a time: each batch is stamped and mailed before
 * the next is read.
 */
export async function remindPending(deps: AnnouncementDeps, actor: Actor, announcementId: string): Promise<number> {
  assertRole(actor, 'organizer');
  const id = objectIdOr404(announcementId);
  const a = await Announcement.findById(id).lean<AnnouncementDoc>();
  if (!a) throw new NotFoundError();
  const now = deps.clock();
  let reminded = 0;
  const remind = async (batch: Types.ObjectId[]) => {
    // Reminders go to the pending liaisons who can still be reached (active and verified).
    const liaisons = await reachablePeople(batch);
    if (!liaisons.length) return;
    await AnnouncementReceipt.updateMany({ announcement: id, user: trusted({ $in: liaisons.map((l) => new Types.ObjectId(l.id)) }), acknowledged: false }, { $set: { remindedAt: now } });
    await Promise.all(liaisons.map((l) => mailAnnouncement(deps.mailer, deps.baseUrl, a, l, 'reminder')));
    reminded += liaisons.length;
  };
  const cursor = AnnouncementReceipt.find({ announcement: id, acknowledged: false }, { user: 1 }).sort({ member: 1, _id: 1 }).lean<Pick<ReceiptDoc, 'user'>>().cursor({ batchSize: REMINDER_BATCH });
  let batch: Types.ObjectId[] = [];
  for await (const r of cursor) {
    batch.push(r.user);
    if (batch.length === REMINDER_BATCH) {
      await remind(batch);
      batch = [];
    }
  }
  if (batch.length) await remind(batch);
  if (!reminded) return 0;
  await Announcement.updateOne({ _id: id }, { $inc: { reminderCount: 1 }, $set: { lastRemindedAt: now } });
  await recordAudit({ actor, action: 'announcement.remind', targetType: 'Announcement', targetId: String(id), after: { reminded }, at: now });
  return reminded;
}

export interface ReceivedAnnouncement {
  id: string;
  subject: string;
  sentAt: Date;
  acknowledgedAt: Date | null;
}

/** A liaison's announcements, those still to acknowledge first. */
export async function listReceivedAnnouncements(actor: Actor, page: { skip: number; perPage: number }): Promise<{ items: ReceivedAnnouncement[]; total: number; pending: number }> {
  const me = new Types.ObjectId(actor.id);
  const [receipts, total, pending] = await Promise.all([
    AnnouncementReceipt.find({ user: me }).sort({ acknowledged: 1, sentAt: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<ReceiptDoc[]>(),
    AnnouncementReceipt.countDocuments({ user: me }),
    AnnouncementReceipt.countDocuments({ user: me, acknowledgedAt: null }),
  ]);
  const rows = await Announcement.find({ _id: trusted({ $in: receipts.map((r) => r.announcement) }) }, { subject: 1, sentAt: 1 }).lean<Pick<AnnouncementDoc, '_id' | 'subject' | 'sentAt'>[]>();
  const byId = new Map(rows.map((a) => [String(a._id), a]));
  const items = receipts
    .map((r) => {
      const a = byId.get(String(r.announcement));
      return a ? { id: String(a._id), subject: a.subject, sentAt: a.sentAt, acknowledgedAt: r.acknowledgedAt } : null;
    })
    .filter((x): x is ReceivedAnnouncement => !!x);
  return { items, total, pending };
}

/** Unacknowledged announcements of one liaison (for the header badge). */
export async function listPendingAnnouncements(actor: Actor, limit = 5): Promise<ReceivedAnnouncement[]> {
  const receipts = await AnnouncementReceipt.find({ user: new Types.ObjectId(actor.id), acknowledgedAt: null }).sort({ sentAt: -1 }).limit(limit).lean<ReceiptDoc[]>();
  if (!receipts.length) return [];
  const rows = await Announcement.find({ _id: trusted({ $in: receipts.map((r) => r.announcement) }) }, { subject: 1, sentAt: 1 }).lean<Pick<AnnouncementDoc, '_id' | 'subject' | 'sentAt'>[]>();
  const byId = new Map(rows.map((a) => [String(a._id), a]));
  return receipts
    .map((r) => byId.get(String(r.announcement)))
    .filter((a): a is Pick<AnnouncementDoc, '_id' | 'subject' | 'sentAt'> => !!a)
    .map((a) => ({ id: String(a._id), subject: a.subject, sentAt: a.sentAt, acknowledgedAt: null }));
}

export async function countPendingAnnouncements(userId: string): Promise<number> {
  return AnnouncementReceipt.countDocuments({ user: new Types.ObjectId(userId), acknowledgedAt: null });
}

/** One announcement for one of its recipients; anyone else gets 404. */
export async function readAnnouncement(actor: Actor, announcementId: string): Promise<{ id: string; subject: string; html: string; sentAt: Date; acknowledgedAt: Date | null }> {
  const id = objectIdOr404(announcementId);
  const receipt = await AnnouncementReceipt.findOne({ announcement: id, user: new Types.ObjectId(actor.id) }).lean<ReceiptDoc>();
  if (!receipt) throw new NotFoundError();
  const a = await Announcement.findById(id).lean<AnnouncementDoc>();
  if (!a) throw new NotFoundError();
  return { id: String(a._id), subject: a.subject, html: renderMarkdown(a.body, 'messages'), sentAt: a.sentAt, acknowledgedAt: receipt.acknowledgedAt };
}

/** Acknowledges once; acknowledging again changes nothing. */
export async function acknowledgeAnnouncement(deps: AnnouncementDeps, actor: Actor, announcementId: string): Promise<boolean> {
  const now = deps.clock();
  const id = objectIdOr404(announcementId);
  const exists = await AnnouncementReceipt.exists({ announcement: id, user: new Types.ObjectId(actor.id) });
  if (!exists) throw new NotFoundError();
  const res = await AnnouncementReceipt.updateOne({ announcement: id, user: new Types.ObjectId(actor.id), acknowledgedAt: null }, { $set: { acknowledged: true, acknowledgedAt: now } });
  if (res.modifiedCount === 1) {
    await Announcement.updateOne({ _id: id }, { $inc: { acknowledgedCount: 1 } });
    return true;
  }
  return false;
}
