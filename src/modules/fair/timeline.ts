/**
 * One line of a booth request's timeline: who took which step, from which state to which, when.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../kernel';
import type { RequestStatus, TimelineEntry } from './model';

export function timelineEntry(action: string, from: RequestStatus | null, to: RequestStatus, actor: Actor | null, now: Date, note = '', booths: string[] = []): TimelineEntry {
  return {
    at: now,
    action,
    from,
    to,
    actor: actor ? new Types.ObjectId(actor.id) : null,
    actorName: actor?.name ?? '',
    actorRole: actor?.role ?? 'system',
    note,
    booths,
  };
}
