/**
 * Exports and counts for the organizer: exhibitors (CSV, catalogue) and requests per status and member.
 */
import { trusted, type Types } from 'mongoose';
import { emailAddresses } from '../accounts';
import { BoothRequest, type BoothRequestDoc, type RequestStatus } from './model';

export interface ExhibitorRow {
  companyName: string;
  member: string;
  booths: string[];
  contactName: string;
  phone: string;
  email: string;
  products: string;
  status: RequestStatus;
}

/** Exhibitors: confirmed and approved requests with their booths, by booth code. */
export async function exhibitors(editionId: Types.ObjectId): Promise<ExhibitorRow[]> {
  const rows = await BoothRequest.find({ edition: editionId, status: trusted({ $in: ['approved', 'confirmed'] }) }, { timeline: 0 }).lean<BoothRequestDoc[]>();
  const users = await emailAddresses(rows.map((r) => r.requester));
  return rows
    .map((r) => ({
      companyName: r.companyName,
      member: r.member,
      booths: r.booths.map((b) => b.code),
      contactName: r.contactName,
      phone: r.phone,
      email: users.get(String(r.requester)) ?? '',
      products: r.products,
      status: r.status,
    }))
    .sort((a, b) => (a.booths[0] ?? '').localeCompare(b.booths[0] ?? '', 'en', { numeric: true }));
}

/** A plain phone number ("+49 30 1234", "-"-separated digits): no formula, left as written. */
const PHONE = /^\+?[0-9 ()./-]{5,40}$/;

/**
 * One CSV cell. A cell starting with =, +, - or @ (or a tab or carriage return) would run as a
 * formula in a spreadsheet, so it gets a leading apostrophe — unless it is a plain phone number.
 */
export function csvCell(value: string): string {
  const formula = /^[=+\-@\t\r]/.test(value) && !PHONE.test(value);
  const safe = formula ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The exhibitors as CSV: the member's name in the reader's language beside its code. */
export function exhibitorsCsv(rows: ExhibitorRow[], headers: string[], labels: { status: (s: RequestStatus) => string; member: (code: string) => string }): string {
  const lines = [headers.map(csvCell).join(',')];
  for (const r of rows) lines.push([r.booths.join(' '), r.companyName, labels.member(r.member), r.member, r.contactName, r.phone, r.email, r.products, labels.status(r.status)].map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Counts of requests per status and per member, for the organizer desk. */
export async function requestCounts(editionId: Types.ObjectId): Promise<{ byStatus: Record<string, number>; byMember: Record<string, Record<string, number>> }> {
  const rows = await BoothRequest.find({ edition: editionId }, { status: 1, member: 1 }).lean<BoothRequestDoc[]>();
  const byStatus: Record<string, number> = {};
  const byMember: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    byMember[r.member] ??= {};
    byMember[r.member]![r.status] = (byMember[r.member]![r.status] ?? 0) + 1;
  }
  return { byStatus, byMember };
}

