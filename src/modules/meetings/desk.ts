/**
 * The meetings' desk items: meeting requests that wait for this person's answer (with their age).
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { MeetingParticipant, MeetingRequest, type MeetingParticipantDoc, type MeetingRequestDoc } from './model';

function filterFor(actor: Actor, now: Date): Record<string, unknown> {
  return { awaiting: new Types.ObjectId(actor.id), state: 'pending', expiresAt: trusted({ $gt: now }) };
}

export async function meetingsDeskItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  const rows = await MeetingRequest.find(filterFor(actor, now), { from: 1, to: 1, fromUser: 1, expiresAt: 1, history: trusted({ $slice: -1 }), updatedAt: 1 })
    .sort({ updatedAt: 1 })
    .limit(100)
    .lean<MeetingRequestDoc[]>();
  if (!rows.length) return [];
  const others = rows.map((r) => (String(r.fromUser) === actor.id ? r.to : r.from));
  const people = new Map((await MeetingParticipant.find({ _id: trusted({ $in: others }) }, { name: 1, companyName: 1 }).lean<MeetingParticipantDoc[]>()).map((p) => [String(p._id), p]));
  return rows.map((r, i) => {
    const p = people.get(String(others[i]));
    return {
      kind: 'meetings.answer',
      title: { key: 'meetings:desk.answer', params: { name: p ? (p.companyName ? `${p.name} (${p.companyName})` : p.name) : '' } },
      url: `/fair/meetings/requests/${String(r._id)}`,
      since: r.history.length ? r.history[r.history.length - 1]!.at : r.updatedAt,
      action: { key: 'meetings:desk.answerAction' },
      due: r.expiresAt,
    };
  });
}

export async function meetingsDeskCount(actor: Actor, now: Date): Promise<number> {
  return MeetingRequest.countDocuments(filterFor(actor, now));
}
