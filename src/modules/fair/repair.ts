/**
 * Start-up repair of the allocation's derived data.
 */
import { Types, trusted } from 'mongoose';
import { BoothAssignment, BoothRequest, QuotaCounter, type BoothRequestDoc, type QuotaCounterDoc } from './model';

/**
 * Repairs what a crash between two writes of an allocation or a withdrawal could leave behind:
 * an assignment whose request does not hold that booth (any more), and quota counters that no
 * longer match the booths actually held. Run at start-up, before any request is served.
 */
export async function reconcileAllocations(): Promise<{ removed: number; countersFixed: number }> {
  let removed = 0;
  let countersFixed = 0;
  const editions = await BoothAssignment.distinct('edition');
  const counterEditions = await QuotaCounter.distinct('edition');
  for (const editionId of new Set([...editions, ...counterEditions].map(String))) {
    const eid = new Types.ObjectId(editionId);
    const holders = await BoothRequest.find({ edition: eid, status: trusted({ $in: ['approved', 'confirmed'] }) }, { booths: 1 }).lean<BoothRequestDoc[]>();
    const valid = new Set(holders.flatMap((r) => r.booths.map((b) => `${String(r._id)}:${String(b.booth)}`)));
    const assignments = await BoothAssignment.find({ edition: eid }).lean();
    const stale = assignments.filter((a) => !valid.has(`${String(a.request)}:${String(a.booth)}`));
    if (stale.length) {
      await BoothAssignment.deleteMany({ _id: trusted({ $in: stale.map((a) => a._id) }) });
      removed += stale.length;
    }
    const held = new Map<string, number>();
    for (const a of assignments) if (!stale.includes(a)) held.set(a.member, (held.get(a.member) ?? 0) + 1);
    for (const c of await QuotaCounter.find({ edition: eid }).lean<QuotaCounterDoc[]>()) {
      const used = held.get(c.member) ?? 0;
      if (c.used !== used) {
        await QuotaCounter.updateOne({ _id: c._id, used: c.used }, { $set: { used } });
        countersFixed++;
      }
    }
  }
  return { removed, countersFixed };
}
