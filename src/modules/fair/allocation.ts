/**
 * Quotas and the allocation of booths.
 *
 * Allocation never trusts a read: (1) the member's quota counter is moved with a conditional $inc
 * that only matches while there is room, (2) each booth is claimed by inserting into
 * booth_assignments, whose unique (edition, booth) index refuses a second holder, (3) the request
 * moves to "approved" with a condition on its current state. A failure at any step undoes the
 * earlier ones, so concurrent clicks can neither double-book a booth nor exceed a quota.
 */
import { Types, trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { ConflictError, ValidationError, assertRole, isDuplicateKeyError } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import type { FairDeps } from './deps';
import { quotaFor } from './editions';
import { Booth, BoothAssignment, BoothRequest, QuotaCounter, type AssignedBooth, type BoothDoc, type BoothRequestDoc, type FairEditionDoc, type QuotaCounterDoc } from './model';
import { notifyStep } from './notify';
import { timelineEntry } from './timeline';
import { TRANSITIONS } from './workflow';

export const ApproveForm = z.object({
  booths: fields.list(fields.objectId()).pipe(z.array(z.string()).min(1, 'fair:errors.pickBooths')),
  note: fields.optionalText(2000),
});
export type ApproveInput = z.infer<typeof ApproveForm>;

export interface QuotaUse {
  member: string;
  quota: number;
  used: number;
  /** Booths the member may still be given. */
  left: number;
}

function use(member: string, quota: number, used: number): QuotaUse {
  return { member, quota, used, left: Math.max(0, quota - used) };
}

export async function quotaUse(edition: FairEditionDoc, member: string): Promise<QuotaUse> {
  const c = await QuotaCounter.findOne({ edition: edition._id, member }).lean<QuotaCounterDoc>();
  return use(member, c?.quota ?? quotaFor(edition, member), c?.used ?? 0);
}

export async function allQuotaUse(edition: FairEditionDoc): Promise<QuotaUse[]> {
  const counters = await QuotaCounter.find({ edition: edition._id }).lean<QuotaCounterDoc[]>();
  return counters.map((c) => use(c.member, c.quota, c.used));
}

async function ensureCounter(edition: FairEditionDoc, member: string): Promise<QuotaCounterDoc> {
  const filter = { edition: edition._id, member };
  try {
    const c = await QuotaCounter.findOneAndUpdate(filter, { $setOnInsert: { quota: quotaFor(edition, member), used: 0 } }, { upsert: true, returnDocument: 'after' }).lean<QuotaCounterDoc>();
    if (c) return c;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const c = await QuotaCounter.findOne(filter).lean<QuotaCounterDoc>();
  if (!c) throw new ConflictError('errors:conflict.message');
  return c;
}

/** Takes `n` places of the member's quota, or returns false when there is no room. */
async function reserveQuota(edition: FairEditionDoc, member: string, n: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const c = await ensureCounter(edition, member);
    if (c.used + n > c.quota) return false;
    const taken = await QuotaCounter.findOneAndUpdate({ _id: c._id, quota: c.quota, used: trusted({ $lte: c.quota - n }) }, { $inc: { used: n } }, { returnDocument: 'after' }).lean();
    if (taken) return true;
    // The counter moved (another allocation, or a changed quota): look again.
  }
  return false;
}

async function giveBackQuota(editionId: Types.ObjectId, member: string, n: number): Promise<void> {
  if (n > 0) await QuotaCounter.updateOne({ edition: editionId, member }, { $inc: { used: -n } });
}

export async function releaseBooths(edition: FairEditionDoc, request: Pick<BoothRequestDoc, '_id' | 'member'>, booths: AssignedBooth[]): Promise<void> {
  const res = await BoothAssignment.deleteMany({ request: request._id, booth: trusted({ $in: booths.map((b) => b.booth) }) });
  await giveBackQuota(edition._id, request.member, res.deletedCount ?? 0);
}

export class AllocationConflict extends ConflictError {}

/**
 * Claims the booths for the request and moves it to "approved". Throws AllocationConflict (quota
 * full, booth taken, state changed) after undoing whatever it had done.
 */
export async function allocate(edition: FairEditionDoc, request: BoothRequestDoc, booths: BoothDoc[], action: 'approve' | 'offer', actor: Actor | null, note: string, now: Date): Promise<BoothRequestDoc> {
  const n = booths.length;
  if (!(await reserveQuota(edition, request.member, n))) throw new AllocationConflict('fair:errors.quotaFull', { member: request.member });
  const claimed: Types.ObjectId[] = [];
  const undo = async () => {
    if (claimed.length) await BoothAssignment.deleteMany({ request: request._id, booth: trusted({ $in: claimed }) });
    await giveBackQuota(edition._id, request.member, n);
  };
  for (const booth of booths) {
    try {
      await BoothAssignment.create({ edition: edition._id, booth: booth._id, request: request._id, member: request.member, company: request.company, at: now });
      claimed.push(booth._id);
    } catch (err) {
      await undo();
      if (isDuplicateKeyError(err)) throw new AllocationConflict('fair:errors.boothTaken', { code: booth.code });
      throw err;
    }
  }
  const rule = TRANSITIONS[action];
  const assigned: AssignedBooth[] = booths.map((b) => ({ booth: b._id, code: b.code }));
  const updated = await BoothRequest.findOneAndUpdate(
    { _id: request._id, status: trusted({ $in: [...rule.from] }) },
    { $set: { status: 'approved', active: true, booths: assigned }, $push: { timeline: timelineEntry(action, request.status, 'approved', actor, now, note, assigned.map((b) => b.code)) } },
    { returnDocument: 'after' },
  ).lean<BoothRequestDoc>();
  if (!updated) {
    await undo();
    throw new AllocationConflict('fair:errors.wrongState', { status: request.status });
  }
  return updated;
}

/**
 * The organizer gives booths to a request. Problems the organizer can fix on the allocation page
 * (too many booths ticked, not enough quota left, a booth just taken) are field errors beside the
 * booth list, so the page is shown again with the choices; nothing is changed.
 */
export async function approve(deps: FairDeps, actor: Actor, edition: FairEditionDoc, request: BoothRequestDoc, input: ApproveInput): Promise<BoothRequestDoc> {
  assertRole(actor, 'organizer');
  const now = deps.clock();
  const note = input.note ?? '';
  const ids = [...new Set(input.booths)];
  if (!ids.length) throw new ValidationError({ booths: { key: 'fair:errors.pickBooths' } });
  if (ids.length > request.boothCount) throw new ValidationError({ booths: { key: 'fair:errors.tooManyBooths', params: { count: request.boothCount } } });
  const booths = await Booth.find({ _id: trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }), edition: edition._id }).lean<BoothDoc[]>();
  if (booths.length !== ids.length) throw new ValidationError({ booths: { key: 'fair:errors.unknownBooth' } });
  const quota = await quotaUse(edition, request.member);
  if (ids.length > quota.left) throw new ValidationError({ booths: { key: 'fair:errors.quotaLeft', params: { count: quota.left, ticked: ids.length } } });
  booths.sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
  let updated: BoothRequestDoc;
  try {
    updated = await allocate(edition, request, booths, 'approve', actor, note, now);
  } catch (err) {
    if (err instanceof AllocationConflict && err.messageKey === 'fair:errors.quotaFull') {
      const after = await quotaUse(edition, request.member);
      throw new ValidationError({ booths: { key: 'fair:errors.quotaLeft', params: { count: after.left, ticked: ids.length } } });
    }
    if (err instanceof AllocationConflict && err.messageKey === 'fair:errors.boothTaken') throw new ValidationError({ booths: { key: err.messageKey, params: err.params } });
    throw err;
  }
  const codes = booths.map((b) => b.code);
  await recordAudit({ actor, action: 'fair.booth.allocate', targetType: 'BoothRequest', targetId: String(request._id), before: { status: request.status }, after: { status: 'approved', booths: codes }, note, at: now });
  await notifyStep(deps, { edition, request: updated, action: 'approve', note, booths: codes });
  return updated;
}
