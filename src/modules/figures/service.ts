/**
 * The organizer's figures (/admin/figures): each chart's data computed from the modules' front
 * doors, with the filters (fair edition, date range). Rules: no suspended account, no official as
 * a company (accounts' figures count only member accounts with a company), nothing of a suspended
 * author, no record of the demo-data tool (flagged `demo`); the Asia–Europe balance where members
 * are counted.
 */
import { Types, trusted } from 'mongoose';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { companiesPerMemberSector, registrationsPerMemberMonth, suspendedAccountIds, SECTORS, type DateRange } from '../accounts';
import { postsPerMonth } from '../board';
import { BoothRequest, FairEdition, outcomesPerMember } from '../fair';
import { listAsemMembers } from '../members';
import { meetingFigures } from '../meetings';
import { practicesPerThemeAndLanguage, THEMES } from '../practices';
import { contactsFigure, mailFigure, messagesFigure, opportunitiesFigure } from './activity';
import { REGIONS, balanceOf, monthsBetween, type Figure } from './figure';

export { REGIONS, type Figure } from './figure';

export const REQUEST_STATUSES_SHOWN = ['submitted', 'endorsed', 'declined', 'approved', 'waitlisted', 'rejected', 'confirmed', 'withdrawn'] as const;

export interface FigureFilters extends DateRange {
  edition: string | null;
}

async function regionOf(): Promise<Map<string, 'Asia' | 'Europe'>> {
  return new Map((await listAsemMembers('en')).map((m) => [m.code, m.region]));
}

function dateFilter(field: string, r: DateRange): Record<string, unknown> {
  if (!r.from && !r.to) return {};
  return { [field]: trusted({ ...(r.from ? { $gte: r.from } : {}), ...(r.to ? { $lt: r.to } : {}) }) };
}

async function registrations(f: FigureFilters, regions: Map<string, 'Asia' | 'Europe'>): Promise<Figure> {
  const rows = await registrationsPerMemberMonth(f);
  const months = monthsBetween(rows.map((r) => r.month));
  const per = (region: string) => months.map((m) => rows.filter((r) => r.month === m && regions.get(r.member) === region).reduce((a, r) => a + r.count, 0));
  const byMember = new Map<string, number>();
  for (const r of rows) byMember.set(r.member, (byMember.get(r.member) ?? 0) + r.count);
  return {
    id: 'registrations',
    data: { categories: months, series: REGIONS.map((region) => ({ name: region, values: per(region) })) },
    categoryKey: null,
    seriesKey: 'figures:regions.',
    balance: balanceOf(byMember, regions),
    csv: { header: ['member', 'region', 'month', 'count'], rows: rows.sort((a, b) => a.month.localeCompare(b.month) || a.member.localeCompare(b.member)).map((r) => [r.member, regions.get(r.member) ?? '', r.month, r.count]) },
  };
}

async function companies(regions: Map<string, 'Asia' | 'Europe'>): Promise<Figure> {
  const rows = await companiesPerMemberSector();
  const byMember = new Map<string, number>();
  for (const r of rows) byMember.set(r.member, (byMember.get(r.member) ?? 0) + r.count);
  return {
    id: 'companies',
    data: {
      categories: [...SECTORS],
      series: REGIONS.map((region) => ({ name: region, values: SECTORS.map((s) => rows.filter((r) => r.sector === s && regions.get(r.member) === region).reduce((a, r) => a + r.count, 0)) })),
    },
    categoryKey: 'accounts:sectors.',
    seriesKey: 'figures:regions.',
    balance: balanceOf(byMember, regions),
    csv: { header: ['member', 'region', 'sector', 'count'], rows: rows.sort((a, b) => a.member.localeCompare(b.member) || a.sector.localeCompare(b.sector)).map((r) => [r.member, regions.get(r.member) ?? '', r.sector, r.count]) },
  };
}

async function boothRequests(f: FigureFilters, regions: Map<string, 'Asia' | 'Europe'>, suspended: Types.ObjectId[]): Promise<Figure> {
  const filter: Record<string, unknown> = { status: trusted({ $in: [...REQUEST_STATUSES_SHOWN] }), requester: trusted({ $nin: suspended }), demo: trusted({ $ne: true }) };
  if (f.edition && Types.ObjectId.isValid(f.edition)) filter.edition = new Types.ObjectId(f.edition);
  // Counted in the database per member and status ($match on the { status } index), only the grouped rows come back.
  const grouped = await BoothRequest.aggregate<{ _id: { member: string; status: string }; count: number }>([{ $match: filter }, { $group: { _id: { member: '$member', status: '$status' }, count: { $sum: 1 } } }]);
  const counts = new Map<string, number>();
  const byMember = new Map<string, number>();
  for (const g of grouped) {
    counts.set(`${g._id.member}|${g._id.status}`, (counts.get(`${g._id.member}|${g._id.status}`) ?? 0) + g.count);
    byMember.set(g._id.member, (byMember.get(g._id.member) ?? 0) + g.count);
  }
  const countOf = (status: string, region: string) => grouped.filter((g) => g._id.status === status && regions.get(g._id.member) === region).reduce((a, g) => a + g.count, 0);
  return {
    id: 'booths',
    data: {
      categories: [...REQUEST_STATUSES_SHOWN],
      series: REGIONS.map((region) => ({ name: region, values: REQUEST_STATUSES_SHOWN.map((s) => countOf(s, region)) })),
    },
    categoryKey: 'figures:status.',
    seriesKey: 'figures:regions.',
    balance: balanceOf(byMember, regions),
    csv: {
      header: ['member', 'region', 'status', 'count'],
      rows: [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => {
        const [member, status] = k.split('|') as [string, string];
        return [member, regions.get(member) ?? '', status, n];
      }),
    },
  };
}

async function practices(f: FigureFilters, suspended: Types.ObjectId[]): Promise<Figure> {
  const rows = await practicesPerThemeAndLanguage({ excludeAuthors: suspended, from: f.from, to: f.to });
  const languages = [...new Set(rows.map((r) => r.language))].sort();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(`${r.theme}|${r.language}`, (counts.get(`${r.theme}|${r.language}`) ?? 0) + r.count);
  return {
    id: 'practices',
    data: { categories: [...THEMES], series: languages.map((lang) => ({ name: lang, values: THEMES.map((th) => counts.get(`${th}|${lang}`) ?? 0) })) },
    categoryKey: 'practices:themes.',
    seriesKey: null,
    balance: null,
    csv: { header: ['theme', 'language', 'count'], rows: [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [...(k.split('|') as [string, string]), n]) },
  };
}

async function board(f: FigureFilters, suspended: Types.ObjectId[]): Promise<Figure> {
  const rows = await postsPerMonth({ excludeAuthors: suspended, from: f.from, to: f.to });
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.month, (counts.get(r.month) ?? 0) + r.count);
  const months = monthsBetween([...counts.keys()]);
  return {
    id: 'board',
    data: { categories: months, series: [{ name: 'posts', values: months.map((m) => counts.get(m) ?? 0) }] },
    categoryKey: null,
    seriesKey: 'figures:series.',
    balance: null,
    csv: { header: ['month', 'posts'], rows: months.map((m) => [m, counts.get(m) ?? 0]) },
  };
}

/** Exhibitors' outcome reports per ASEM member (the chosen edition, or all); the balance counts reports. */
async function outcomes(f: FigureFilters, regions: Map<string, 'Asia' | 'Europe'>, suspended: Types.ObjectId[]): Promise<Figure> {
  const rows = await outcomesPerMember({ edition: f.edition, excludeAuthors: suspended });
  const series = ['reports', 'contacts', 'deals'] as const;
  return {
    id: 'outcomes',
    data: { categories: rows.map((r) => r.member), series: series.map((name) => ({ name, values: rows.map((r) => r[name]) })) },
    categoryKey: null,
    seriesKey: 'figures:series.',
    balance: balanceOf(new Map(rows.map((r) => [r.member, r.reports])), regions),
    csv: { header: ['member', 'region', 'reports', 'contacts', 'deals'], rows: rows.map((r) => [r.member, regions.get(r.member) ?? '', r.reports, r.contacts, r.deals]) },
  };
}

/** Meetings at the hall: requested, accepted, held, by pair of regions (the meetings module counts). */
async function meetings(f: FigureFilters, now: Date): Promise<Figure> {
  const m = await meetingFigures(f, now);
  const kinds = ['requested', 'accepted', 'held'] as const;
  return {
    id: 'meetings',
    data: { categories: [...kinds], series: m.byPair.map((p) => ({ name: p.pair, values: kinds.map((k) => p[k]) })) },
    categoryKey: 'agenda:figures.',
    seriesKey: 'agenda:pairs.',
    balance: null,
    csv: { header: ['member', 'region', 'requested', 'accepted', 'held'], rows: m.byMember.map((r) => [r.member, r.region, r.requested, r.accepted, r.held]) },
  };
}

export const FIGURE_IDS = [
  'registrations',
  'companies',
  'booths',
  'practices',
  'board',
  'messages',
  'opportunities',
  'contacts',
  'mail',
  'outcomes',
  'meetings',
] as const;

export async function figures(actor: Actor | undefined, f: FigureFilters, now: Date): Promise<Figure[]> {
  assertRole(actor, 'organizer');
  const [regions, suspendedIds] = await Promise.all([regionOf(), suspendedAccountIds()]);
  const suspended = suspendedIds.map((id) => new Types.ObjectId(id));
  return Promise.all([
    registrations(f, regions),
    companies(regions),
    boothRequests(f, regions, suspended),
    practices(f, suspended),
    board(f, suspended),
    messagesFigure(f, suspended),
    opportunitiesFigure(f, regions, suspended),
    contactsFigure(f, suspended),
    mailFigure(f),
    outcomes(f, regions, suspended),
    meetings(f, now),
  ]);
}

export async function editions(): Promise<{ id: string; name: { en?: string; 'zh-CN'?: string }; year: number }[]> {
  const rows = await FairEdition.find({}, { name: 1, year: 1 }).sort({ year: -1 }).lean();
  return rows.map((e) => ({ id: String(e._id), name: e.name, year: e.year }));
}

export function figureCsv(fig: Figure): string {
  const cell = (v: string | number) => {
    const s = String(v);
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return '\uFEFF' + [fig.csv.header, ...fig.csv.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
