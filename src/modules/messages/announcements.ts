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
import { collatorFor } from '../../web/i18n';

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

/** The organizer's view: the announcement and who has acknowledged it and who has not. */
export async function announcementStatus(actor: Actor, announcementId: string): Promise<{ announcement: AnnouncementSummary & { html: string }; acknowledged: RecipientStatus[]; pending: RecipientStatus[] }> {
  assertRole(actor, 'organizer');
  const id = objectIdOr404(announcementId);
  const a = await Announcement.findById(id).lean<AnnouncementDoc>();
  if (!a) throw new NotFoundError();
  const receipts = await AnnouncementReceipt.find({ announcement: id }).lean<ReceiptDoc[]>();
  const byId = await publicProfiles(receipts.map((r) => r.user));
  const rows: RecipientStatus[] = receipts.map((r) => ({
    id: String(r.user),
    name: byId.get(String(r.user))?.name ?? '',
    member: r.member,
    agency: byId.get(String(r.user))?.agency ?? '',
    acknowledgedAt: r.acknowledgedAt,
    remindedAt: r.remindedAt,
  }));
  const collator = collatorFor('en');
  rows.sort((x, y) => collator.compare(x.member, y.member) || collator.compare(x.name, y.name));
  return {
    announcement: { ...summary(a), html: renderMarkdown(a.body, 'messages') },
    acknowledged: rows.filter((r) => r.acknowledgedAt),
    pending: rows.filter((r) => !r.acknowledgedAt),
  };
}

/** E-mails the liaisons who have not acknowledged yet; returns how many were reminded. */
export async function remindPending(deps: AnnouncementDeps, actor: Actor, announcementId: string): Promise<number> {
  assertRole(actor, 'organizer');
  const id = objectIdOr404(announcementId);
  const a = await Announcement.findById(id).lean<AnnouncementDoc>();
  if (!a) throw new NotFoundError();
  const pending = await AnnouncementReceipt.find({ announcement: id, acknowledgedAt: null }).lean<ReceiptDoc[]>();
  if (!pending.length) return 0;
  // Reminders go to the pending liaisons who can still be reached (active and verified).
  const liaisons = await reachablePeople(pending.map((r) => r.user));
  const now = deps.clock();
  await AnnouncementReceipt.updateMany({ announcement: id, user: trusted({ $in: liaisons.map((l) => new Types.ObjectId(l.id)) }), acknowledgedAt: null }, { $set: { remindedAt: now } });
  await Announcement.updateOne({ _id: id }, { $inc: { reminderCount: 1 }, $set: { lastRemindedAt: now } });
  await recordAudit({ actor, action: 'announcement.remind', targetType: 'Announcement', targetId: String(id), after: { reminded: liaisons.length }, at: now });
  await Promise.all(liaisons.map((l) => mailAnnouncement(deps.mailer, deps.baseUrl, a, l, 'reminder')));
  return liaisons.length;
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
