/**
 * The waiting list: a freed booth is offered to the first waitlisted request of the same ASEM
 * member, then of any member (oldest on the list first), skipping requests whose member has no
 * quota left.
 */
import { recordAudit } from '../audit';
import { AllocationConflict, allocate } from './allocation';
import type { FairDeps } from './deps';
import { Booth, BoothRequest, type AssignedBooth, type BoothDoc, type BoothRequestDoc, type FairEditionDoc } from './model';
import { notifyStep } from './notify';

export async function offerFreedBooths(deps: FairDeps, edition: FairEditionDoc, freed: AssignedBooth[], member: string): Promise<void> {
  const now = deps.clock();
  for (const freedBooth of freed) {
    const booth = await Booth.findOne({ _id: freedBooth.booth, edition: edition._id }).lean<BoothDoc>();
    if (!booth) continue;
    const waiting = await BoothRequest.find({ edition: edition._id, status: 'waitlisted' }, { timeline: 0 }).sort({ waitlistedAt: 1, _id: 1 }).lean<BoothRequestDoc[]>();
    const ordered = [...waiting.filter((r) => r.member === member), ...waiting.filter((r) => r.member !== member)];
    for (const candidate of ordered) {
      try {
        const updated = await allocate(edition, candidate, [booth], 'offer', null, '', now);
        await recordAudit({ actor: null, action: 'fair.booth.offer', targetType: 'BoothRequest', targetId: String(candidate._id), after: { status: 'approved', booths: [booth.code] }, at: now });
        await notifyStep(deps, { edition, request: updated, action: 'offer', booths: [booth.code] });
        break;
      } catch (err) {
        if (!(err instanceof AllocationConflict)) throw err;
        if (err.messageKey === 'fair:errors.boothTaken') break; // someone else has it now
      }
    }
  }
}
