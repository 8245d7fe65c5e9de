/**
 * Figures of the meetings at the hall: requested, accepted and held, by ASEM member and by pair of
 * regions (Asia–Asia, Asia–Europe, Europe–Europe).
 *
 * - requested: meeting requests made (any state);
 * - accepted: meetings booked from them (each booked meeting is an accepted request), cancelled later or not;
 * - held: a meeting that has started, is not cancelled, and either a side's outcome says it took
 *   place, or no side says it did not and the organizer marked nobody absent.
 * A meeting counts for the member of each of its sides (a DE–TH meeting counts for DE and for TH).
 */
import { Types, trusted } from 'mongoose';
import { listAsemMembers } from '../members';
import { Meeting, MeetingParticipant, MeetingRequest, type MeetingDoc } from './model';

export const PAIRS = ['asia-asia', 'asia-europe', 'europe-europe'] as const;
export type Pair = (typeof PAIRS)[number];

export interface MeetingCounts {
  requested: number;
  accepted: number;
  held: number;
}

export interface MeetingFigures {
  totals: MeetingCounts;
  byMember: ({ member: string; region: string } & MeetingCounts)[];
  byPair: ({ pair: Pair } & MeetingCounts)[];
}

export interface MeetingFigureFilters {
  edition: string | null;
  from?: Date | null;
  to?: Date | null;
}

export function isHeld(m: Pick<MeetingDoc, 'status' | 'startsAt' | 'noShow' | 'outcomes'>, now: Date): boolean {
  if (m.status !== 'booked' || m.startsAt.getTime() > now.getTime()) return false;
  if (m.outcomes.some((o) => o.tookPlace)) return true;
  if (m.outcomes.some((o) => !o.tookPlace)) return false;
  return m.noShow.length === 0;
}

function pairOf(a: string | undefined, b: string | undefined): Pair | null {
  if (!a || !b) return null;
  const key = [a, b].map((r) => r.toLowerCase()).sort().join('-');
  return (PAIRS as readonly string[]).includes(key) ? (key as Pair) : null;
}

/**
 * The figures (organizer's grid page and /admin/figures); the caller checks the role. Counted in
 * the database: requests grouped by the members of their two participants, meetings by the members
 * of their two sides and whether they were held (isHeld, as an expression) — only grouped rows
 * come back, at most one per pair of ASEM members.
 */
export async function meetingFigures(f: MeetingFigureFilters, now: Date): Promise<MeetingFigures> {
  const edition = f.edition && Types.ObjectId.isValid(f.edition) ? new Types.ObjectId(f.edition) : null;
  // Always a range (from the epoch when no start is chosen): without an edition, the $match walks the date's index.
  const range = (field: string) => ({ [field]: trusted({ $gte: f.from ?? new Date(0), ...(f.to ? { $lt: f.to } : {}) }) });
  const memberOf = (field: string) => ({ $arrayElemAt: [`$${field}.member`, 0] });
  const tookPlace = { $ifNull: ['$outcomes.tookPlace', []] };
  const held = {
    $and: [
      { $eq: ['$status', 'booked'] },
      { $lte: ['$startsAt', now] },
      { $or: [{ $in: [true, tookPlace] }, { $and: [{ $not: [{ $in: [false, tookPlace] }] }, { $eq: [{ $size: { $ifNull: ['$noShow', []] } }, 0] }] }] },
    ],
  };
  const participants = MeetingParticipant.collection.collectionName;
  const [requests, meetings, members] = await Promise.all([
    MeetingRequest.aggregate<{ _id: { a?: string; b?: string }; n: number }>([
      { $match: { ...(edition ? { edition } : {}), ...range('createdAt') } },
      { $lookup: { from: participants, localField: 'from', foreignField: '_id', as: 'fromParticipant' } },
      { $lookup: { from: participants, localField: 'to', foreignField: '_id', as: 'toParticipant' } },
      { $group: { _id: { a: memberOf('fromParticipant'), b: memberOf('toParticipant') }, n: { $sum: 1 } } },
    ]),
    Meeting.aggregate<{ _id: { a?: string; b?: string; held: boolean }; n: number }>([
      { $match: { ...(edition ? { edition } : {}), ...range('startsAt') } },
      { $group: { _id: { a: { $arrayElemAt: ['$sides.member', 0] }, b: { $arrayElemAt: ['$sides.member', 1] }, held }, n: { $sum: 1 } } },
    ]),
    listAsemMembers('en'),
  ]);
  const region = new Map(members.map((m) => [m.code, m.region]));

  const totals: MeetingCounts = { requested: 0, accepted: 0, held: 0 };
  const byMember = new Map<string, MeetingCounts>();
  const byPair = new Map<Pair, MeetingCounts>(PAIRS.map((p) => [p, { requested: 0, accepted: 0, held: 0 }]));
  const memberRow = (m: string) => byMember.get(m) ?? byMember.set(m, { requested: 0, accepted: 0, held: 0 }).get(m)!;
  const count = (members: (string | undefined)[], key: keyof MeetingCounts, n: number) => {
    totals[key] += n;
    for (const m of new Set(members.filter((x): x is string => Boolean(x)))) memberRow(m)[key] += n;
    const pair = pairOf(region.get(members[0] ?? ''), region.get(members[1] ?? ''));
    if (pair) byPair.get(pair)![key] += n;
  };
  for (const r of requests) count([r._id.a ?? undefined, r._id.b ?? undefined], 'requested', r.n);
  for (const m of meetings) {
    const sides = [m._id.a ?? undefined, m._id.b ?? undefined];
    count(sides, 'accepted', m.n);
    if (m._id.held) count(sides, 'held', m.n);
  }
  return {
    totals,
    byMember: [...byMember].map(([member, c]) => ({ member, region: region.get(member) ?? '', ...c })).sort((a, b) => a.member.localeCompare(b.member)),
    byPair: PAIRS.map((pair) => ({ pair, ...byPair.get(pair)! })),
  };
}
