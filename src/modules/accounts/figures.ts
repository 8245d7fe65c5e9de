/**
 * Figures about people and companies, for the organizer's charts. Only companies count: never a
 * suspended account, never an official (liaisons and organizers have no company and are no SME),
 * never a demo record.
 */
import { trusted } from 'mongoose';
import { notActiveAccounts } from './account-status';
import { Company, User } from './model';

export interface DateRange {
  from: Date | null;
  to: Date | null;
}

function range(field: string, r: DateRange): Record<string, unknown> {
  if (!r.from && !r.to) return {};
  return { [field]: trusted({ ...(r.from ? { $gte: r.from } : {}), ...(r.to ? { $lt: r.to } : {}) }) };
}

/** Member (SME) registrations per ASEM member and month (YYYY-MM, UTC) in the range. */
export async function registrationsPerMemberMonth(r: DateRange): Promise<{ member: string; month: string; count: number }[]> {
  const rows = await User.find({ role: 'member', status: 'active', company: trusted({ $ne: null }), demo: trusted({ $ne: true }), ...range('createdAt', r) }, { member: 1, createdAt: 1 }).lean<
    { member?: string | null; createdAt: Date }[]
  >();
  const counts = new Map<string, number>();
  for (const u of rows) {
    const key = `${u.member ?? ''}|${u.createdAt.toISOString().slice(0, 7)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, count]) => {
    const [member, month] = k.split('|') as [string, string];
    return { member, month, count };
  });
}

/** Companies of active member accounts, per ASEM member and sector. */
export async function companiesPerMemberSector(): Promise<{ member: string; sector: string; count: number }[]> {
  const owners = await User.find({ role: 'member', status: 'active', demo: trusted({ $ne: true }) }, { _id: 1 }).lean();
  const companies = await Company.find({ owner: trusted({ $in: owners.map((o) => o._id) }), demo: trusted({ $ne: true }) }, { member: 1, sector: 1 }).lean<{ member: string; sector: string }[]>();
  const counts = new Map<string, number>();
  for (const c of companies) counts.set(`${c.member}|${c.sector}`, (counts.get(`${c.member}|${c.sector}`) ?? 0) + 1);
  return [...counts].map(([k, count]) => {
    const [member, sector] = k.split('|') as [string, string];
    return { member, sector, count };
  });
}

/** Ids of suspended accounts: what they wrote or requested is left out of the figures. */
export async function suspendedAccountIds(): Promise<string[]> {
  return [...(await notActiveAccounts()).notActive];
}
