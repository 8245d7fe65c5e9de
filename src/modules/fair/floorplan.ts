/**
 * The hall floor plan as plain numbers for views/fair/_floor-plan.ejs: every booth with its
 * rectangle in SVG units, its state (free, held, allocated) and what may be written on it.
 * Company names appear only once the organizer has published the allocation.
 */
import type { BoothDoc, BoothFeature, FairEditionDoc } from './model';
import type { BoothHolding } from './holdings';

export const SCALE = 24; // SVG units per metre
const MARGIN = 1; // metres of floor around the booths

export interface PlanBooth {
  id: string;
  code: string;
  x: number;
  y: number;
  w: number;
  h: number;
  area: number;
  /** Position and size in metres, as the organizer entered them. */
  metres: { x: number; y: number; width: number; depth: number };
  state: 'free' | 'held' | 'allocated';
  features: BoothFeature[];
  companyName: string | null;
  member: string | null;
  /** Marked for the current reader (their own booth, or the booths picked on the allocation screen). */
  highlight: boolean;
}

export interface FloorPlan {
  width: number;
  height: number;
  booths: PlanBooth[];
  published: boolean;
  counts: { free: number; held: number; allocated: number };
}

export function buildFloorPlan(
  edition: Pick<FairEditionDoc, 'allocationPublishedAt'>,
  booths: BoothDoc[],
  holdings: Map<string, BoothHolding>,
  opts: { highlight?: Set<string>; showNames?: boolean } = {},
): FloorPlan {
  const published = edition.allocationPublishedAt !== null && edition.allocationPublishedAt !== undefined;
  const showNames = opts.showNames ?? published;
  let maxX = 10;
  let maxY = 6;
  const counts = { free: 0, held: 0, allocated: 0 };
  const out: PlanBooth[] = booths
    .slice()
    .sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }))
    .map((b) => {
      maxX = Math.max(maxX, b.x + b.width);
      maxY = Math.max(maxY, b.y + b.depth);
      const holding = holdings.get(String(b._id));
      const state = holding?.state ?? 'free';
      counts[state]++;
      return {
        id: String(b._id),
        code: b.code,
        x: (b.x + MARGIN) * SCALE,
        y: (b.y + MARGIN) * SCALE,
        w: b.width * SCALE,
        h: b.depth * SCALE,
        area: b.width * b.depth,
        metres: { x: b.x, y: b.y, width: b.width, depth: b.depth },
        state,
        features: b.features,
        companyName: state === 'allocated' && showNames ? holding!.companyName : null,
        member: state === 'allocated' && showNames ? holding!.member : null,
        highlight: opts.highlight?.has(String(b._id)) ?? false,
      };
    });
  return { width: (maxX + 2 * MARGIN) * SCALE, height: (maxY + 2 * MARGIN) * SCALE, booths: out, published, counts };
}

/** A company name cut to fit a booth's width on the plan (the full name is in the table and the tooltip). */
export function fitLabel(text: string, widthUnits: number): string {
  const max = Math.max(3, Math.floor(widthUnits / 7));
  const chars = [...text];
  // Chinese characters are about twice as wide as Latin letters.
  let width = 0;
  let out = '';
  for (const ch of chars) {
    width += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1;
    if (width > max) return `${out}…`;
    out += ch;
  }
  return out;
}
