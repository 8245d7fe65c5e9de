/**
 * Activity charts of the figures: messages, opportunities, contact requests and e-mails per month.
 * Each reads one module's front door (or the mailer's daily counts) with the date range; the
 * edition filter does not apply to them. Suspended accounts and demo content are never counted.
 */
import type { Types } from 'mongoose';
import { trusted } from 'mongoose';
import { MailDayCount } from '../../web/mail';
import type { DateRange } from '../accounts';
import { messageActivityPerMonth } from '../messages';
import { contactRequestsPerMonth, opportunitiesPerMonth } from '../partners';
import { balanceOf, monthsBetween, type Figure } from './figure';

export const OPPORTUNITY_SERIES = ['offer', 'request'] as const;

/** A per-month chart from rows of named counts: one series per name, every month in the run. */
function monthly<R extends { month: string }>(id: string, rows: R[], names: readonly (keyof R & string)[]): Figure {
  const months = monthsBetween(rows.map((r) => r.month));
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const value = (m: string, name: keyof R & string) => Number(byMonth.get(m)?.[name] ?? 0);
  return {
    id,
    data: { categories: months, series: names.map((name) => ({ name, values: months.map((m) => value(m, name)) })) },
    categoryKey: null,
    seriesKey: 'figures:series.',
    balance: null,
    csv: { header: ['month', ...names], rows: months.map((m) => [m, ...names.map((name) => value(m, name))]) },
  };
}

export async function messagesFigure(f: DateRange, suspended: Types.ObjectId[]): Promise<Figure> {
  return monthly('messages', await messageActivityPerMonth({ excludeAuthors: suspended, from: f.from, to: f.to }), ['messages', 'conversations', 'announcements']);
}

export async function opportunitiesFigure(f: DateRange, regions: Map<string, 'Asia' | 'Europe'>, suspended: Types.ObjectId[]): Promise<Figure> {
  const rows = await opportunitiesPerMonth({ excludeAuthors: suspended, from: f.from, to: f.to });
  const perMonthKind = new Map<string, { month: string; offer: number; request: number }>();
  const byMember = new Map<string, number>();
  for (const r of rows) {
    const m = perMonthKind.get(r.month) ?? perMonthKind.set(r.month, { month: r.month, offer: 0, request: 0 }).get(r.month)!;
    if (r.kind === 'offer' || r.kind === 'request') m[r.kind] += r.count;
    byMember.set(r.member, (byMember.get(r.member) ?? 0) + r.count);
  }
  const chart = monthly('opportunities', [...perMonthKind.values()], OPPORTUNITY_SERIES);
  return {
    ...chart,
    balance: balanceOf(byMember, regions),
    // The CSV has each ASEM member: month, member, region, kind, count.
    csv: {
      header: ['month', 'member', 'region', 'kind', 'count'],
      rows: rows
        .sort((a, b) => a.month.localeCompare(b.month) || a.member.localeCompare(b.member) || a.kind.localeCompare(b.kind))
        .map((r) => [r.month, r.member, regions.get(r.member) ?? '', r.kind, r.count]),
    },
  };
}

export async function contactsFigure(f: DateRange, suspended: Types.ObjectId[]): Promise<Figure> {
  return monthly('contacts', await contactRequestsPerMonth({ excludeAuthors: suspended, from: f.from, to: f.to }), ['sent', 'accepted', 'declined']);
}

/** E-mails sent and given up per month, from the mailer's daily counts (no message kept). */
export async function mailFigure(f: DateRange): Promise<Figure> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const range = f.from || f.to ? { day: trusted({ ...(f.from ? { $gte: day(f.from) } : {}), ...(f.to ? { $lt: day(f.to) } : {}) }) } : {};
  const days = await MailDayCount.find(range, { day: 1, sent: 1, failed: 1 }).lean();
  const months = new Map<string, { month: string; sent: number; failed: number }>();
  for (const d of days) {
    const key = d.day.slice(0, 7);
    const m = months.get(key) ?? months.set(key, { month: key, sent: 0, failed: 0 }).get(key)!;
    m.sent += d.sent ?? 0;
    m.failed += d.failed ?? 0;
  }
  return monthly('mail', [...months.values()], ['sent', 'failed']);
}
