/**
 * Floor-plan facts: which booths are held or allocated, and which are free.
 */
import { trusted, type Types } from 'mongoose';
import { Booth, BoothAssignment, BoothRequest, type BoothDoc, type BoothRequestDoc } from './model';

export interface BoothHolding {
  state: 'held' | 'allocated';
  companyName: string;
  member: string;
  requestId: string;
}

/** Which booths are held (approved, awaiting the member) or allocated (confirmed), by booth id. */
export async function boothHoldings(editionId: Types.ObjectId): Promise<Map<string, BoothHolding>> {
  const holders = await BoothRequest.find({ edition: editionId, status: trusted({ $in: ['approved', 'confirmed'] }) }, { booths: 1, status: 1, companyName: 1, member: 1 }).lean<BoothRequestDoc[]>();
  const map = new Map<string, BoothHolding>();
  for (const r of holders) {
    for (const b of r.booths) map.set(String(b.booth), { state: r.status === 'confirmed' ? 'allocated' : 'held', companyName: r.companyName, member: r.member, requestId: String(r._id) });
  }
  return map;
}

/** Free booths of the edition: no assignment document. */
export async function freeBooths(editionId: Types.ObjectId): Promise<BoothDoc[]> {
  const taken = new Set((await BoothAssignment.find({ edition: editionId }, { booth: 1 }).lean()).map((a) => String(a.booth)));
  const booths = await Booth.find({ edition: editionId }).lean<BoothDoc[]>();
  return booths.filter((b) => !taken.has(String(b._id))).sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
}

