/**
 * The start-up seed that gives a fresh portal a fair edition and a hall to try the whole booth story in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDuplicateKeyError } from '../../kernel';
import type { BoothShape } from './booths';
import { Booth, FairEdition, type BoothFeature, type FairEditionDoc } from './model';

/** The standard hall: six rows of ten 3 m × 3 m booths, back to back in pairs, aisles between. */
export function standardHall(): BoothShape[] {
  const rows = ['A', 'B', 'C', 'D', 'E', 'F'];
  const rowY = [2, 5, 11, 14, 20, 23];
  const shapes: BoothShape[] = [];
  rows.forEach((prefix, r) => {
    for (let i = 0; i < 10; i++) {
      const features: BoothFeature[] = [];
      if (i === 0 || i === 9) features.push('corner');
      if (i % 3 === 0) features.push('power');
      if ((r === 1 || r === 4) && (i === 4 || i === 5)) features.push('water');
      shapes.push({ code: `${prefix}${String(i + 1).padStart(2, '0')}`, x: 2 + i * 3, y: rowY[r]!, width: 3, depth: 3, features });
    }
  });
  return shapes;
}

type Bilingual = { en: string; 'zh-CN': string };
/** Names and notes of the first edition: data in both languages, kept with the other seed lists. */
const FIRST_EDITION = JSON.parse(readFileSync(path.resolve(__dirname, '../../../seed/fair-edition.json'), 'utf8')) as {
  name: Bilingual;
  city: Bilingual;
  venue: Bilingual;
  hallName: Bilingual;
  notes: Bilingual;
  defaultQuota: number;
};

/**
 * On an empty database: the coming CISMEF edition (this year's, or next year's once this year's
 * September is too close), its request window open from now, and the standard hall. Idempotent.
 */
export async function seedFirstEdition(now: Date): Promise<FairEditionDoc | null> {
  if ((await FairEdition.estimatedDocumentCount()) > 0) return null;
  const thisYear = now.getUTCFullYear();
  const year = now < new Date(Date.UTC(thisYear, 7, 1)) ? thisYear : thisYear + 1;
  const code = `cismef-${year}`;
  const startsOn = new Date(Date.UTC(year, 8, 15));
  const endsOn = new Date(Date.UTC(year, 8, 18));
  const opens = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const closes = new Date(Date.UTC(year, 7, 15, 23, 59));
  const withYear = (text: string) => text.replace('{year}', String(year));
  const res = await FairEdition.updateOne(
    { code },
    {
      $setOnInsert: {
        code,
        name: { en: withYear(FIRST_EDITION.name.en), 'zh-CN': withYear(FIRST_EDITION.name['zh-CN']) },
        year,
        startsOn,
        endsOn,
        city: FIRST_EDITION.city,
        venue: FIRST_EDITION.venue,
        hallName: FIRST_EDITION.hallName,
        requestOpensAt: opens,
        requestClosesAt: closes,
        status: 'open',
        defaultQuota: FIRST_EDITION.defaultQuota,
        quotaOverrides: [],
        notes: FIRST_EDITION.notes,
        allocationPublishedAt: null,
      },
    },
    { upsert: true },
  );
  const edition = await FairEdition.findOne({ code }).lean<FairEditionDoc>();
  if (!edition) return null;
  if (res.upsertedCount) {
    const existing = new Set((await Booth.find({ edition: edition._id }, { code: 1 }).lean()).map((b) => b.code));
    const missing = standardHall().filter((s) => !existing.has(s.code));
    if (missing.length) await Booth.insertMany(missing.map((s) => ({ edition: edition._id, ...s })), { ordered: false }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }
  return edition;
}
