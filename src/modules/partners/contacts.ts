/**
 * Contact with consent: an SME asks another for contact (a message ≤ 1,000 characters, perhaps
 * about an opportunity); the other accepts (a two-person conversation opens in Messages with the
 * request as its first message, and both see each other's contact details) or declines (with an
 * optional reason; the requester is told politely). Open requests expire after 30 days.
 *
 * Limits: 20 requests per sending company per day; one open request per pair (unique index); a
 * blocked sender's request is "sent" as far as it can tell, but nothing is stored or told.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError, isDuplicateKeyError, isObjectId, objectIdOr404 } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { companyContactDetails, companyNames, partnerCompanyParty, reachablePerson } from '../accounts';
import { openContactConversation } from '../messages';
import { ContactBlock, ContactRequest, Opportunity, PartnerReport, type ContactRequestDoc } from './model';

export const CONTACT_MESSAGE_MAX = 1000;
export const DECLINE_REASON_MAX = 300;
export const REQUESTS_PER_DAY = 20;
export const REQUEST_LIFETIME_DAYS = 30;
const DAY = 24 * 60 * 60 * 1000;

export interface ContactDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

function requireCompany(actor: Actor | undefined): asserts actor is Actor & { companyId: string } {
  if (!actor) throw new UnauthenticatedError();
  if (actor.role !== 'member' || !actor.companyId || !isObjectId(actor.companyId)) throw new ForbiddenError();
}

/** Whether two people's companies have an accepted contact (the messages module's extra door). */
export async function hasAcceptedContact(userA: string, userB: string): Promise<boolean> {
  if (!isObjectId(userA) || !isObjectId(userB) || userA === userB) return false;
  const a = new Types.ObjectId(userA);
  const b = new Types.ObjectId(userB);
  const found = await ContactRequest.exists({ status: 'accepted', $or: [{ fromUser: a, toUser: b }, { fromUser: b, toUser: a }] });
  return Boolean(found);
}

/** Whether two companies have an accepted contact. */
export async function companiesConnected(companyA: string, companyB: string): Promise<boolean> {
  if (!isObjectId(companyA) || !isObjectId(companyB) || companyA === companyB) return false;
  return Boolean(await ContactRequest.exists({ pair: pairKey(companyA, companyB), status: 'accepted' }));
}

export interface SendInput {
  toCompany: string;
  message: string;
  opportunity?: string | undefined;
}

/**
 * Sends a contact request. Refused with a clear message: to yourself, to something that is not a
 * partnering company (an official, an unknown id), a duplicate open request, over the daily limit.
 * To a company that blocked the sender: returns as if sent, stores nothing, tells no one.
 */
export async function sendContactRequest(deps: ContactDeps, actor: Actor | undefined, input: SendInput): Promise<{ id: string | null }> {
  requireCompany(actor);
  if (input.toCompany === actor.companyId) throw new ValidationError({ message: { key: 'partners:contacts.errors.self' } });
  const [from, to] = await Promise.all([partnerCompanyParty(actor.companyId), partnerCompanyParty(input.toCompany)]);
  if (!to) throw new ValidationError({ message: { key: 'partners:contacts.errors.notACompany' } });
  if (!from) throw new ValidationError({ message: { key: 'partners:contacts.errors.ownNotListed' } });
  if (to.ownerId === actor.id) throw new ValidationError({ message: { key: 'partners:contacts.errors.self' } });
  let opportunity: Types.ObjectId | null = null;
  if (input.opportunity) {
    const opp = isObjectId(input.opportunity) ? await Opportunity.findOne({ _id: input.opportunity, company: new Types.ObjectId(to.companyId), hiddenAt: null }, { _id: 1 }).lean() : null;
    if (!opp) throw new NotFoundError();
    opportunity = opp._id;
  }
  const now = deps.clock();
  const pair = pairKey(from.companyId, to.companyId);
  if (await ContactRequest.exists({ pair, status: 'accepted' })) throw new ValidationError({ message: { key: 'partners:contacts.errors.alreadyConnected' } });
  if (await ContactRequest.exists({ pair, open: true })) throw new ValidationError({ message: { key: 'partners:contacts.errors.duplicate' } });
  const sentToday = await ContactRequest.countDocuments({ fromCompany: new Types.ObjectId(from.companyId), createdAt: trusted({ $gt: new Date(now.getTime() - DAY) }) });
  if (sentToday >= REQUESTS_PER_DAY) throw new ValidationError({ message: { key: 'partners:contacts.errors.tooMany', params: { max: REQUESTS_PER_DAY } } });
  // A block is silent: the sender sees the same answer as for a request that went out.
  if (await ContactBlock.exists({ company: new Types.ObjectId(to.companyId), blocked: new Types.ObjectId(from.companyId) })) return { id: null };
  let created: ContactRequestDoc;
  try {
    created = (
      await ContactRequest.create({
        fromCompany: new Types.ObjectId(from.companyId),
        fromUser: new Types.ObjectId(actor.id),
        fromMember: from.member,
        toCompany: new Types.ObjectId(to.companyId),
        toUser: new Types.ObjectId(to.ownerId),
        toMember: to.member,
        pair,
        opportunity,
        message: input.message,
        status: 'open',
        open: true,
        expiresAt: new Date(now.getTime() + REQUEST_LIFETIME_DAYS * DAY),
        createdAt: now,
      })
    ).toObject();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ValidationError({ message: { key: 'partners:contacts.errors.duplicate' } });
    throw err;
  }
  const recipient = await reachablePerson(to.ownerId);
  if (recipient) {
    await deps.mailer.notify(recipient, {
      subject: { key: 'partners:emails.request.subject', params: { company: from.name } },
      lines: [{ key: 'partners:emails.request.body', params: { company: from.name } }, { quote: input.message }],
      action: { label: { key: 'partners:emails.request.action' }, url: `${deps.baseUrl}/contacts` },
    });
  }
  return { id: String(created._id) };
}

/** An open request addressed to the actor's company, or 404. */
async function incoming(actor: Actor & { companyId: string }, id: unknown): Promise<ContactRequestDoc> {
  const _id = objectIdOr404(id);
  const found = await ContactRequest.findOne({ _id, toCompany: new Types.ObjectId(actor.companyId) }).lean<ContactRequestDoc>();
  if (!found) throw new NotFoundError();
  return found;
}

/**
 * Accepts an open request: one conditional update decides (a decline or expiry racing it loses,
 * or wins and this one is refused); then the conversation opens and the requester is told.
 */
export async function acceptContactRequest(deps: ContactDeps, actor: Actor | undefined, id: unknown): Promise<{ conversationId: string }> {
  requireCompany(actor);
  const request = await incoming(actor, id);
  const now = deps.clock();
  const won = await ContactRequest.findOneAndUpdate(
    { _id: request._id, status: 'open', expiresAt: trusted({ $gt: now }) },
    { $set: { status: 'accepted', open: false, decidedAt: now } },
    { returnDocument: 'after' },
  ).lean<ContactRequestDoc>();
  if (!won) throw new ConflictError('partners:contacts.errors.alreadyDecided');
  const names = await companyNames([won.fromCompany, won.toCompany]);
  const conversationId = await openContactConversation(deps, {
    from: String(won.fromUser),
    to: String(won.toUser),
    subject: `${names.get(String(won.fromCompany)) ?? ''} – ${names.get(String(won.toCompany)) ?? ''}`.slice(0, 200),
    body: won.message,
  });
  await ContactRequest.updateOne({ _id: won._id }, { $set: { conversation: new Types.ObjectId(conversationId) } });
  const requester = await reachablePerson(won.fromUser);
  if (requester) {
    await deps.mailer.notify(requester, {
      subject: { key: 'partners:emails.accepted.subject', params: { company: names.get(String(won.toCompany)) ?? '' } },
      lines: [{ key: 'partners:emails.accepted.body', params: { company: names.get(String(won.toCompany)) ?? '' } }],
      action: { label: { key: 'partners:emails.accepted.action' }, url: `${deps.baseUrl}/messages/${conversationId}` },
    });
  }
  return { conversationId };
}

/** Declines an open request (optional short reason); the requester is told politely. */
export async function declineContactRequest(deps: ContactDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  requireCompany(actor);
  const request = await incoming(actor, id);
  const now = deps.clock();
  const won = await ContactRequest.findOneAndUpdate({ _id: request._id, status: 'open' }, { $set: { status: 'declined', open: false, decidedAt: now, declineReason: reason } }, { returnDocument: 'after' }).lean<ContactRequestDoc>();
  if (!won) throw new ConflictError('partners:contacts.errors.alreadyDecided');
  const requester = await reachablePerson(won.fromUser);
  if (requester) {
    const names = await companyNames([won.toCompany]);
    const company = names.get(String(won.toCompany)) ?? '';
    await deps.mailer.notify(requester, {
      subject: { key: 'partners:emails.declined.subject', params: { company } },
      lines: [{ key: 'partners:emails.declined.body', params: { company } }, ...(reason ? [{ quote: reason }] : []), { key: 'partners:emails.declined.closing' }],
    });
  }
}

/** Blocks the sender's company of a request addressed to the actor (and declines it silently). */
export async function blockSender(deps: ContactDeps, actor: Actor | undefined, id: unknown): Promise<void> {
  requireCompany(actor);
  const request = await incoming(actor, id);
  const now = deps.clock();
  await ContactBlock.updateOne({ company: request.toCompany, blocked: request.fromCompany }, { $setOnInsert: { createdAt: now } }, { upsert: true });
  await ContactRequest.updateOne({ _id: request._id, status: 'open' }, { $set: { status: 'declined', open: false, decidedAt: now } });
}

/** Reports a request addressed to the actor to the organizer's moderation queue (once per reporter). */
export async function reportContactRequest(deps: ContactDeps, actor: Actor | undefined, id: unknown, reason: string): Promise<void> {
  requireCompany(actor);
  const request = await incoming(actor, id);
  try {
    await PartnerReport.create({ targetType: 'contactRequest', target: request._id, reporter: new Types.ObjectId(actor.id), reason, createdAt: deps.clock() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/** Open requests past their 30 days become expired (each by one conditional update). */
export async function expireContactRequests(now: Date): Promise<number> {
  const res = await ContactRequest.updateMany({ status: 'open', expiresAt: trusted({ $lte: now }) }, { $set: { status: 'expired', open: false, decidedAt: now } });
  return res.modifiedCount;
}

export interface ContactRow {
  id: string;
  otherCompanyId: string;
  otherCompany: string;
  message: string;
  status: string;
  declineReason: string;
  conversationId: string | null;
  opportunityId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** The requests received and sent by the actor's company, newest first (open ones past expiry shown as expired). */
export async function listContactRequests(actor: Actor | undefined, now: Date): Promise<{ received: ContactRow[]; sent: ContactRow[] }> {
  requireCompany(actor);
  const company = new Types.ObjectId(actor.companyId);
  const [received, sent] = await Promise.all([
    ContactRequest.find({ toCompany: company }).sort({ createdAt: -1 }).limit(200).lean<ContactRequestDoc[]>(),
    ContactRequest.find({ fromCompany: company }).sort({ createdAt: -1 }).limit(200).lean<ContactRequestDoc[]>(),
  ]);
  const names = await companyNames([...received.map((r) => r.fromCompany), ...sent.map((r) => r.toCompany)]);
  const row = (r: ContactRequestDoc, other: Types.ObjectId): ContactRow => ({
    id: String(r._id),
    otherCompanyId: String(other),
    otherCompany: names.get(String(other)) ?? '',
    message: r.message,
    status: r.status === 'open' && r.expiresAt <= now ? 'expired' : r.status,
    declineReason: r.declineReason,
    conversationId: r.conversation ? String(r.conversation) : null,
    opportunityId: r.opportunity ? String(r.opportunity) : null,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  });
  return { received: received.map((r) => row(r, r.fromCompany)), sent: sent.map((r) => row(r, r.toCompany)) };
}

/** Open requests waiting for the actor's answer (the header badge). */
export async function countPendingRequests(actor: Actor, now: Date): Promise<number> {
  if (actor.role !== 'member' || !actor.companyId || !isObjectId(actor.companyId)) return 0;
  return ContactRequest.countDocuments({ toCompany: new Types.ObjectId(actor.companyId), status: 'open', expiresAt: trusted({ $gt: now }) });
}

/**
 * Contact details of a company, for readers allowed to see them: the organizer, liaisons of the
 * company's member, and companies with an accepted contact. Null for everyone else.
 */
export async function contactDetailsFor(actor: Actor | undefined, company: { id: string; member: string; ownerId: string }): Promise<{ email: string; phone: string } | null> {
  if (!actor) return null;
  const allowed =
    actor.role === 'organizer' ||
    (actor.role === 'liaison' && !!actor.member && actor.member === company.member) ||
    actor.id === company.ownerId ||
    (actor.role === 'member' && !!actor.companyId && (await companiesConnected(actor.companyId, company.id)));
  return allowed ? companyContactDetails(company.id) : null;
}

/** What the company page offers the reader: may they ask for contact, and is one already open or accepted. */
export async function contactStateWith(actor: Actor | undefined, companyId: string): Promise<'none' | 'self' | 'open' | 'accepted' | 'available'> {
  if (!actor || actor.role !== 'member' || !actor.companyId || !isObjectId(actor.companyId)) return 'none';
  if (actor.companyId === companyId) return 'self';
  const pair = pairKey(actor.companyId, companyId);
  if (await ContactRequest.exists({ pair, status: 'accepted' })) return 'accepted';
  if (await ContactRequest.exists({ pair, open: true })) return 'open';
  return 'available';
}

/** A liaison's figures: contact requests sent and received by its member's companies, by status. */
export async function memberRequestCounts(actor: Actor): Promise<{ sent: Record<string, number>; received: Record<string, number> }> {
  if (actor.role !== 'liaison' || !actor.member) throw new ForbiddenError();
  const [sent, received] = await Promise.all([
    ContactRequest.aggregate<{ _id: string; n: number }>([{ $match: { fromMember: actor.member } }, { $group: { _id: '$status', n: { $sum: 1 } } }]),
    ContactRequest.aggregate<{ _id: string; n: number }>([{ $match: { toMember: actor.member } }, { $group: { _id: '$status', n: { $sum: 1 } } }]),
  ]);
  const byStatus = (rows: { _id: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r._id, r.n]));
  return { sent: byStatus(sent), received: byStatus(received) };
}

/** Whether either of two companies blocked the other (meeting requests are refused then). */
export async function isBlockedBetween(companyA: string, companyB: string): Promise<boolean> {
  if (!isObjectId(companyA) || !isObjectId(companyB)) return false;
  const a = new Types.ObjectId(companyA);
  const b = new Types.ObjectId(companyB);
  return Boolean(await ContactBlock.exists({ $or: [{ company: a, blocked: b }, { company: b, blocked: a }] }));
}
