/**
 * The audit log: every organizer action (and every booth decision) with who, what, when and the
 * record before and after. Written by services; read on /admin/audit.
 */
import { Schema, Types, model, models, trusted, type Model } from 'mongoose';
import type { Actor } from '../../kernel';
import type { Page } from '../../web/pagination';

export interface AuditEntryDoc {
  _id: Types.ObjectId;
  at: Date;
  actor: Types.ObjectId | null;
  actorName: string;
  action: string; // e.g. 'user.suspend', 'liaison.designate', 'fair.booth.allocate'
  targetType: string; // e.g. 'User', 'BoothRequest'
  targetId: string;
  before: unknown;
  after: unknown;
  note: string;
}

const AuditEntrySchema = new Schema<AuditEntryDoc>({
  at: { type: Date, required: true, index: true },
  actor: { type: Schema.Types.ObjectId, ref: 'User', default: null, index: true },
  actorName: { type: String, default: '' },
  action: { type: String, required: true, index: true },
  targetType: { type: String, required: true },
  targetId: { type: String, required: true, index: true },
  before: { type: Schema.Types.Mixed, default: null },
  after: { type: Schema.Types.Mixed, default: null },
  note: { type: String, default: '' },
});

export const AuditEntry: Model<AuditEntryDoc> = (models.AuditEntry as Model<AuditEntryDoc>) ?? model<AuditEntryDoc>('AuditEntry', AuditEntrySchema, 'audit_log');

export async function recordAudit(entry: {
  actor: Actor | null;
  action: string;
  targetType: string;
  targetId: string;
  before?: unknown;
  after?: unknown;
  note?: string;
  at: Date;
}): Promise<void> {
  await AuditEntry.create({
    at: entry.at,
    actor: entry.actor ? new Types.ObjectId(entry.actor.id) : null,
    actorName: entry.actor?.name ?? '',
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    note: entry.note ?? '',
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The log, newest first, optionally narrowed to actions starting with a prefix. Callers check who may read it. */
export async function auditEntries(filter: { action?: string | undefined }, page: Page): Promise<{ entries: AuditEntryDoc[]; total: number }> {
  const query: Record<string, unknown> = {};
  if (filter.action) query.action = trusted({ $regex: `^${escapeRegex(filter.action)}` });
  const [entries, total] = await Promise.all([
    AuditEntry.find(query).sort({ at: -1, _id: -1 }).skip(page.skip).limit(page.perPage).lean<AuditEntryDoc[]>(),
    AuditEntry.countDocuments(query),
  ]);
  return { entries, total };
}

/** The latest entries about one record (e.g. a user's history on the organizer's user page). */
export async function auditHistoryOf(targetType: string, targetId: string, limit = 20): Promise<AuditEntryDoc[]> {
  return AuditEntry.find({ targetType, targetId }).sort({ at: -1, _id: -1 }).limit(limit).lean<AuditEntryDoc[]>();
}
