/**
 * The meeting area on the hall plan, as plain numbers for views/meetings/_plan.ejs: the hall's
 * booths (outlines only) and the area with its numbered tables laid out in a grid.
 */
import type { BoothDoc } from '../fair';
import type { MeetingArea } from './model';

const SCALE = 24; // SVG units per metre, as the fair's plan
const MARGIN = 1;

export interface MeetingPlan {
  width: number;
  height: number;
  booths: { code: string; x: number; y: number; w: number; h: number }[];
  area: { x: number; y: number; w: number; h: number } | null;
  tables: { n: number; cx: number; cy: number; r: number }[];
  tableCount: number;
}

export function buildMeetingPlan(booths: Pick<BoothDoc, 'code' | 'x' | 'y' | 'width' | 'depth'>[], settings: { area: MeetingArea | null; tableCount: number }): MeetingPlan {
  let maxX = 10;
  let maxY = 6;
  const out = booths.map((b) => {
    maxX = Math.max(maxX, b.x + b.width);
    maxY = Math.max(maxY, b.y + b.depth);
    return { code: b.code, x: (b.x + MARGIN) * SCALE, y: (b.y + MARGIN) * SCALE, w: b.width * SCALE, h: b.depth * SCALE };
  });
  const tables: MeetingPlan['tables'] = [];
  let area: MeetingPlan['area'] = null;
  if (settings.area) {
    const a = settings.area;
    maxX = Math.max(maxX, a.x + a.width);
    maxY = Math.max(maxY, a.y + a.depth);
    area = { x: (a.x + MARGIN) * SCALE, y: (a.y + MARGIN) * SCALE, w: a.width * SCALE, h: a.depth * SCALE };
    const n = settings.tableCount;
    if (n > 0) {
      // As many columns as keep the cells about square in the area's proportions.
      const cols = Math.max(1, Math.min(n, Math.round(Math.sqrt((n * a.width) / a.depth))));
      const rows = Math.ceil(n / cols);
      const cw = area.w / cols;
      const ch = area.h / rows;
      const r = Math.max(4, Math.min(cw, ch) * 0.35);
      for (let i = 0; i < n; i++) {
        tables.push({ n: i + 1, cx: area.x + cw * ((i % cols) + 0.5), cy: area.y + ch * (Math.floor(i / cols) + 0.5), r });
      }
    }
  }
  return { width: (maxX + 2 * MARGIN) * SCALE, height: (maxY + 2 * MARGIN) * SCALE, booths: out, area, tables, tableCount: settings.tableCount };
}
