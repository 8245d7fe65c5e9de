/**
 * What every chart of the figures shares: the Figure shape (data, labels, balance, CSV), the run
 * of months between the first and the last, and the Asia–Europe balance of per-member counts.
 */
import type { ChartData } from './chart';

export const REGIONS = ['Asia', 'Europe'] as const;

/** A chart: its data (categories × series, labels are catalogue keys or plain text), and its CSV. */
export interface Figure {
  id: string;
  data: ChartData;
  /** Category labels: catalogue key prefix (e.g. 'figures:status.'), or null when plain text. */
  categoryKey: string | null;
  seriesKey: string | null;
  balance: { asia: number; europe: number } | null;
  csv: { header: string[]; rows: (string | number)[][] };
}

export function monthsBetween(months: string[]): string[] {
  if (!months.length) return [];
  const sorted = [...months].sort();
  const out: string[] = [];
  let [y, m] = sorted[0]!.split('-').map(Number) as [number, number];
  const last = sorted[sorted.length - 1]!;
  for (let guard = 0; guard < 240; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= last) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function balanceOf(byMember: Map<string, number>, regions: Map<string, 'Asia' | 'Europe'>): { asia: number; europe: number } {
  let asia = 0;
  let europe = 0;
  for (const [member, n] of byMember) {
    if (regions.get(member) === 'Asia') asia += n;
    else if (regions.get(member) === 'Europe') europe += n;
  }
  return { asia, europe };
}

