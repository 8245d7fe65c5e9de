/**
 * The organizer's partnering figures: opportunities open and closed, contact requests sent and
 * accepted, by ASEM member and by pair of regions (Asia–Europe, Asia–Asia, Europe–Europe).
 */
import { trusted } from 'mongoose';
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
  const [open, closed, partnerFound, oppByMember, requestRows] = await Promise.all([
    Opportunity.countDocuments({ closedAt: null, hiddenAt: null }),
    Opportunity.countDocuments({ closedAt: trusted({ $ne: null }) }),
    Opportunity.countDocuments({ closeReason: 'partnerFound' }),
    Opportunity.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$member', n: { $sum: 1 } } }]),
    ContactRequest.aggregate<{ _id: { from: string; to: string; status: string }; n: number }>([
      { $group: { _id: { from: '$fromMember', to: '$toMember', status: '$status' }, n: { $sum: 1 } } },
    ]),
  ]);
  const region = new Map(members.map((m) => [m.code, m.region]));
  const byMember = new Map<string, { member: string; opportunities: number; sent: number; accepted: number }>();
  const row = (m: string) => byMember.get(m) ?? byMember.set(m, { member: m, opportunities: 0, sent: 0, accepted: 0 }).get(m)!;
  for (const r of oppByMember) row(r._id).opportunities += r.n;
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
