/**
 * Figures about people and companies, for the organizer's charts. Only companies count: never a
 * suspended account, never an official (liaisons and organizers have no company and are no SME),
 * never a demo record.
 */
import { Types, trusted } from 'mongoose';
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

/**
 * Member (SME) registrations per ASEM member and month (YYYY-MM, UTC) in the range: grouped in the
 * database (the { role } index answers the $match), only the grouped rows come back.
 */
export async function registrationsPerMemberMonth(r: DateRange): Promise<{ member: string; month: string; count: number }[]> {
  const rows = await User.aggregate<{ _id: { member: string | null; month: string }; count: number }>([
    { $match: { role: 'member', status: 'active', company: { $ne: null }, demo: { $ne: true }, ...range('createdAt', r) } },
    { $group: { _id: { member: '$member', month: { $dateToString: { format: '%Y-%m', date: '$createdAt' } } }, count: { $sum: 1 } } },
  ]);
  return rows.map((row) => ({ member: row._id.member ?? '', month: row._id.month, count: row.count }));
}

/**
 * Companies of active member accounts, per ASEM member and sector, grouped in the database on the
 * { member } index. A company of an official was set aside (`unlisted`) when its owner became one;
 * companies of accounts that are not active are left out by their owners' ids (the process-cached
 * list of such accounts).
 */
export async function companiesPerMemberSector(): Promise<{ member: string; sector: string; count: number }[]> {
  const notActive = [...(await notActiveAccounts()).notActive].map((id) => new Types.ObjectId(id));
  const rows = await Company.aggregate<{ _id: { member: string; sector: string }; count: number }>([
    { $match: { unlisted: { $ne: true }, owner: { $nin: notActive }, demo: { $ne: true } } },
    { $sort: { member: 1 } },
    { $group: { _id: { member: '$member', sector: '$sector' }, count: { $sum: 1 } } },
  ]);
  return rows.map((row) => ({ member: row._id.member, sector: row._id.sector, count: row.count }));
}

/** Ids of suspended accounts: what they wrote or requested is left out of the figures. */
export async function suspendedAccountIds(): Promise<string[]> {
  return [...(await notActiveAccounts()).notActive];
}
