/**
 * The fair's desk items: a member's booth offers to confirm, a liaison's requests to endorse (with
 * how long they have waited), the organizer's endorsed requests to allocate.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { BoothRequest, type BoothRequestDoc } from './model';

function filterFor(actor: Actor): Record<string, unknown> | null {
  if (actor.role === 'member') return actor.companyId ? { company: new Types.ObjectId(actor.companyId), status: 'approved' } : null;
  if (actor.role === 'liaison') return actor.member ? { member: actor.member, status: 'submitted' } : null;
  if (actor.role === 'organizer') return { status: 'endorsed' };
  return null;
}

/** When the request reached its present status (its last timeline entry). */
function statusSince(r: Pick<BoothRequestDoc, 'timeline' | 'updatedAt'>): Date {
  return r.timeline.length ? r.timeline[r.timeline.length - 1]!.at : r.updatedAt;
}

export async function fairDeskItems(actor: Actor): Promise<DeskItem[]> {
  const filter = filterFor(actor);
  if (!filter) return [];
  const rows = await BoothRequest.find(filter, { companyName: 1, member: 1, timeline: trusted({ $slice: -1 }), updatedAt: 1, status: 1 })
    .sort({ updatedAt: 1 })
    .limit(100)
    .lean<BoothRequestDoc[]>();
  const kind = actor.role === 'member' ? 'confirm' : actor.role === 'liaison' ? 'endorse' : 'allocate';
  return rows.map((r) => ({
    kind: `fair.${kind}`,
    title: { key: `fair:desk.${kind}`, params: { company: r.companyName, member: r.member } },
    url: actor.role === 'organizer' ? `/admin/fair/requests/${String(r._id)}` : `/fair/requests/${String(r._id)}`,
    since: statusSince(r),
    action: { key: `fair:desk.${kind}Action` },
  }));
}

export async function fairDeskCount(actor: Actor): Promise<number> {
  const filter = filterFor(actor);
  return filter ? BoothRequest.countDocuments(filter) : 0;
}
