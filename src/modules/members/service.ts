/**
 * ASEM members: seeding from the declaration's list, and reading them for forms and the directory.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AsemMember, MEMBERS_STAMP, type AsemMemberDoc } from './model';
import { VersionedCache } from '../../web/cache-versions';
import { collatorFor } from '../../web/i18n';

export interface SeedMember {
  code: string;
  name: { en: string; 'zh-CN': string };
  region: string;
  kind: string;
}

/** The seed list ships inside the project (a copy of shared/seed/asem-members.json). */
export const SEED_FILE = path.resolve(__dirname, '../../../seed/asem-members.json');

export function readSeedMembers(file = SEED_FILE): SeedMember[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { members: SeedMember[] };
  return parsed.members;
}

/**
 * Inserts the members that are missing; never overwrites one that exists, so names the organizer
 * corrected stay corrected and running it twice changes nothing.
 */
export async function seedAsemMembers(members: SeedMember[] = readSeedMembers()): Promise<number> {
  if (!members.length) return 0;
  // The upserts look members up by code: the unique index must exist before them, or each one
  // scans the collection (and two starts at once could insert a code twice).
  await AsemMember.createIndexes();
  const result = await AsemMember.bulkWrite(
    members.map((m) => ({
      updateOne: {
        filter: { code: m.code },
        update: { $setOnInsert: { code: m.code, name: m.name, region: m.region, kind: m.kind } },
        upsert: true,
      },
    })),
    { ordered: false },
  );
  return result.upsertedCount;
}

export type AsemMemberView = Pick<AsemMemberDoc, 'code' | 'name' | 'region' | 'kind'>;

/**
 * The members list, read once and kept in the process until a member is added or renamed (here or
 * on another instance: see src/web/cache-versions.ts), sorted once per language.
 */
const membersCache = new VersionedCache<{ byCode: Map<string, AsemMemberView>; sorted: Record<'en' | 'zh-CN', AsemMemberView[]> }>([MEMBERS_STAMP], 1);

async function cachedMembers() {
  return membersCache.get('all', async () => {
    // Read through the unique code index (the whole list, never a collection scan).
    const members = await AsemMember.find({}, { code: 1, name: 1, region: 1, kind: 1, _id: 0 }).sort({ code: 1 }).lean<AsemMemberView[]>();
    const sortedIn = (lang: 'en' | 'zh-CN') => {
      const collator = collatorFor(lang);
      return [...members].sort((a, b) => collator.compare(a.name[lang] || a.name.en, b.name[lang] || b.name.en));
    };
    return { byCode: new Map(members.map((m) => [m.code, m])), sorted: { en: sortedIn('en'), 'zh-CN': sortedIn('zh-CN') } };
  });
}

/** A copy callers may change without touching the cached member. */
function copyOf(m: AsemMemberView): AsemMemberView {
  return { code: m.code, name: { ...m.name }, region: m.region, kind: m.kind };
}

/** All members, sorted by their name in the reader's language. */
export async function listAsemMembers(lang: 'en' | 'zh-CN' = 'en'): Promise<AsemMemberView[]> {
  return (await cachedMembers()).sorted[lang === 'zh-CN' ? 'zh-CN' : 'en'].map(copyOf);
}

/** The members as options of a select, named and sorted in the reader's language. */
export async function asemMemberOptions(lang: 'en' | 'zh-CN'): Promise<{ value: string; label: string }[]> {
  return (await listAsemMembers(lang)).map((m) => ({ value: m.code, label: m.name[lang] || m.name.en }));
}

export async function findAsemMember(code: string): Promise<AsemMemberView | null> {
  if (typeof code !== 'string' || !/^[A-Za-z0-9-]{2,12}$/.test(code)) return null;
  const found = (await cachedMembers()).byCode.get(code.toUpperCase());
  return found ? copyOf(found) : null;
}

export async function isAsemMemberCode(code: string): Promise<boolean> {
  return (await findAsemMember(code)) !== null;
}

/** Adds a member (the code is unique: a duplicate throws the database's duplicate-key error). */
export async function addAsemMember(doc: AsemMemberView): Promise<void> {
  await AsemMember.create(doc);
}

/** Corrects a member's names; the code, region and kind stay (other records refer to the code). */
export async function renameAsemMember(code: string, name: AsemMemberView['name']): Promise<AsemMemberView | null> {
  return AsemMember.findOneAndUpdate(
    { code },
    { $set: { 'name.en': name.en, 'name.zh-CN': name['zh-CN'] } },
    { returnDocument: 'after', projection: { code: 1, name: 1, region: 1, kind: 1, _id: 0 } },
  ).lean<AsemMemberView>();
}
