/**
 * Who exhibits at an edition: companies whose booth request is approved or confirmed, with the
 * person who asked and the booths they hold (other modules build on it, e.g. the hall's meetings).
 */
import { Types, trusted } from 'mongoose';
import { BoothRequest, type BoothRequestDoc } from './model';

export const EXHIBITING_STATUSES = ['approved', 'confirmed'] as const;

export interface Exhibitor {
  company: string;
  companyName: string;
  member: string;
  requester: string;
  boothCodes: string[];
}

export async function exhibitorsOf(editionId: Types.ObjectId | string): Promise<Exhibitor[]> {
  const edition = editionId instanceof Types.ObjectId ? editionId : new Types.ObjectId(editionId);
  const rows = await BoothRequest.find({ edition, status: trusted({ $in: [...EXHIBITING_STATUSES] }) }, { company: 1, companyName: 1, member: 1, requester: 1, booths: 1 })
    .sort({ companyName: 1 })
    .lean<BoothRequestDoc[]>();
  return rows.map((r) => ({
    company: String(r.company),
    companyName: r.companyName,
    member: r.member,
    requester: String(r.requester),
    boothCodes: r.booths.map((b) => b.code).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
  }));
}
