/**
 * The organizer's partnering figures: opportunities open and closed, contact requests sent and
 * accepted, by ASEM member and by pair of regions (Asia–Europe, Asia–Asia, Europe–Europe).
 */
import { trusted, type Types } from 'mongoose';
import { ForbiddenError, type Actor } from '../../kernel';
import type { AsemMemberView } from '../members';
import { ContactRequest, Opportunity } from './model';

export interface PartnerFigures {
  opportunities: { open: number; closed: number; partnerFound: number };
  requests: { sent: number; accepted: number; declined: number; open: number };
  byMember: { member: string; opportunities: number; sent: number; accepted: number }[];
  byPair: { pair: string; sent: number; accepted: number }[];
}

export async function figures(actor: Actor, members: AsemMemberView[]): Promise<PartnerFigures> {
  if (actor.role !== 'organizer') throw new ForbiddenError();
  // Two $group aggregations, each walking the createdAt index (every document has one): one row per
  // member and state of the opportunities, one per pair of members and status of the requests.
  const everything = { createdAt: trusted({ $gte: new Date(0) }) };
  const isNull = (field: string) => ({ $eq: [{ $ifNull: [`$${field}`, null] }, null] });
  const [oppRows, requestRows] = await Promise.all([
    Opportunity.aggregate<{ _id: { member: string; open: boolean; closed: boolean; partnerFound: boolean }; n: number }>([
      { $match: everything },
      { $group: { _id: { member: '$member', open: { $and: [isNull('closedAt'), isNull('hiddenAt')] }, closed: { $not: [isNull('closedAt')] }, partnerFound: { $eq: ['$closeReason', 'partnerFound'] } }, n: { $sum: 1 } } },
    ]),
    ContactRequest.aggregate<{ _id: { from: string; to: string; status: string }; n: number }>([
      { $match: everything },
      { $group: { _id: { from: '$fromMember', to: '$toMember', status: '$status' }, n: { $sum: 1 } } },
    ]),
  ]);
  let open = 0;
  let closed = 0;
  let partnerFound = 0;
  const region = new Map(members.map((m) => [m.code, m.region]));
  const byMember = new Map<string, { member: string; opportunities: number; sent: number; accepted: number }>();
  const row = (m: string) => byMember.get(m) ?? byMember.set(m, { member: m, opportunities: 0, sent: 0, accepted: 0 }).get(m)!;
  for (const r of oppRows) {
    row(r._id.member).opportunities += r.n;
    if (r._id.open) open += r.n;
    if (r._id.closed) closed += r.n;
    if (r._id.partnerFound) partnerFound += r.n;
  }
  const pairs = new Map<string, { pair: string; sent: number; accepted: number }>();
  const requests = { sent: 0, accepted: 0, declined: 0, open: 0 };
  for (const r of requestRows) {
    requests.sent += r.n;
    if (r._id.status === 'accepted') requests.accepted += r.n;
    if (r._id.status === 'declined') requests.declined += r.n;
    if (r._id.status === 'open') requests.open += r.n;
    const m = row(r._id.from);
    m.sent += r.n;
    if (r._id.status === 'accepted') m.accepted += r.n;
    const key = [region.get(r._id.from) ?? '?', region.get(r._id.to) ?? '?'].sort().join('–');
    const p = pairs.get(key) ?? pairs.set(key, { pair: key, sent: 0, accepted: 0 }).get(key)!;
    p.sent += r.n;
    if (r._id.status === 'accepted') p.accepted += r.n;
  }
  return {
    opportunities: { open, closed, partnerFound },
    requests,
    byMember: [...byMember.values()].sort((a, b) => a.member.localeCompare(b.member)),
    byPair: [...pairs.values()].sort((a, b) => a.pair.localeCompare(b.pair)),
  };
}

/* ---------------------------------------------------------------- per month, for the charts */

export interface PartnerActivityOptions {
  /** Authors and senders left out (suspended accounts). */
  excludeAuthors: Types.ObjectId[];
  from?: Date | null;
  to?: Date | null;
}

/** Always a range (from the epoch when no start is chosen), so each $match walks the date's index. */
function range(field: string, opts: PartnerActivityOptions): Record<string, unknown> {
  return { [field]: trusted({ $gte: opts.from ?? new Date(0), ...(opts.to ? { $lt: opts.to } : {}) }) };
}

/**
 * Opportunities posted per month (YYYY-MM, UTC), kind and ASEM member: never one of a suspended
 * author, one hidden by moderation, or demo content.
 */
export async function opportunitiesPerMonth(opts: PartnerActivityOptions): Promise<{ month: string; kind: string; member: string; count: number }[]> {
  const rows = await Opportunity.aggregate<{ _id: { month: string; kind: string; member: string }; count: number }>([
    { $match: { author: { $nin: opts.excludeAuthors }, hiddenAt: null, demo: { $ne: true }, ...range('createdAt', opts) } },
    { $group: { _id: { month: { $dateToString: { format: '%Y-%m', date: '$createdAt' } }, kind: '$kind', member: '$member' }, count: { $sum: 1 } } },
  ]);
  return rows.map((r) => ({ ...r._id, count: r.count }));
}

/**
 * Contact requests per month (YYYY-MM, UTC): sent (by the month they were sent), accepted and
 * declined (by the month of the answer). Requests of a suspended sender or demo content are left out.
 */
export async function contactRequestsPerMonth(opts: PartnerActivityOptions): Promise<{ month: string; sent: number; accepted: number; declined: number }[]> {
  const base = { fromUser: { $nin: opts.excludeAuthors }, demo: { $ne: true } };
  const month = (field: string) => ({ $dateToString: { format: '%Y-%m', date: `$${field}` } });
  const [sent, decided] = await Promise.all([
    ContactRequest.aggregate<{ _id: string; count: number }>([{ $match: { ...base, ...range('createdAt', opts) } }, { $group: { _id: month('createdAt'), count: { $sum: 1 } } }]),
    ContactRequest.aggregate<{ _id: { month: string; status: string }; count: number }>([
      { $match: { ...base, status: { $in: ['accepted', 'declined'] }, ...range('decidedAt', opts) } },
      { $group: { _id: { month: month('decidedAt'), status: '$status' }, count: { $sum: 1 } } },
    ]),
  ]);
  const out = new Map<string, { month: string; sent: number; accepted: number; declined: number }>();
  const row = (m: string) => out.get(m) ?? out.set(m, { month: m, sent: 0, accepted: 0, declined: 0 }).get(m)!;
  for (const r of sent) row(r._id).sent += r.count;
  for (const r of decided) {
    if (r._id.status === 'accepted') row(r._id.month).accepted += r.count;
    else row(r._id.month).declined += r.count;
  }
  return [...out.values()].sort((a, b) => a.month.localeCompare(b.month));
}
