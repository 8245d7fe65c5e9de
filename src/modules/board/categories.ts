/**
 * Board categories: the start-up seed, the list with thread counts and latest activity, and the
 * organizer's create / edit / reorder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Actor, Clock } from '../../kernel';
import { assertRole, isObjectId } from '../../kernel';
import { NotFoundError, ValidationError, isDuplicateKeyError } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import { VersionedCache } from '../../web/cache-versions';
import { BoardCategory, BoardThread, CATEGORIES_STAMP, THREADS_STAMP, type BoardCategoryDoc, type LocalizedText } from './model';

export interface SeedCategory {
  slug: string;
  name: LocalizedText;
  description: LocalizedText;
}

/** The categories created on first start: data in both languages, kept with the other seed lists. */
export const DEFAULT_CATEGORIES: SeedCategory[] = (
  JSON.parse(readFileSync(path.resolve(__dirname, '../../../seed/board-categories.json'), 'utf8')) as { categories: SeedCategory[] }
).categories;

/** Words that are board paths of their own, so no category may take them as its slug. */
export const RESERVED_SLUGS = ['threads', 'posts', 'search', 'unsubscribe', 'new', 'admin'];

/**
 * Creates the default categories when there are none. Upserts by slug, so two processes starting
 * at once (or a second start) add nothing twice.
 */
export async function seedCategories(deps: { clock: Clock }, categories: SeedCategory[] = DEFAULT_CATEGORIES): Promise<number> {
  if ((await BoardCategory.countDocuments({})) > 0) return 0;
  let added = 0;
  const now = deps.clock();
  for (const [position, c] of categories.entries()) {
    const res = await BoardCategory.updateOne(
      { slug: c.slug },
      { $setOnInsert: { slug: c.slug, name: c.name, description: c.description, position, createdAt: now, updatedAt: now } },
      { upsert: true, timestamps: false },
    );
    added += res.upsertedCount;
  }
  return added;
}

export type CategoryView = Pick<BoardCategoryDoc, '_id' | 'slug' | 'name' | 'description' | 'position'>;

/**
 * The categories, read once and kept in the process until one is created, edited or moved (here or
 * on another instance: see src/web/cache-versions.ts).
 */
const categoriesCache = new VersionedCache<CategoryView[]>([CATEGORIES_STAMP], 1);

function cachedCategories(): Promise<CategoryView[]> {
  return categoriesCache.get('all', () => BoardCategory.find({}, { slug: 1, name: 1, description: 1, position: 1 }).sort({ position: 1, _id: 1 }).lean<CategoryView[]>());
}

/** A copy callers may change without touching the cached category. */
function copyOf(c: CategoryView): CategoryView {
  return { _id: c._id, slug: c.slug, name: { ...c.name }, description: { ...c.description }, position: c.position };
}

export async function listCategories(): Promise<CategoryView[]> {
  return (await cachedCategories()).map(copyOf);
}

export interface CategoryWithStats extends CategoryView {
  threadCount: number;
  latest: { _id: Types.ObjectId; title: string; lastActivityAt: Date; lastPosterName: string } | null;
}

const statsCache = new VersionedCache<CategoryWithStats[]>([CATEGORIES_STAMP, THREADS_STAMP], 1);

/**
 * The board's front page: every category with its number of (visible) threads and the latest one.
 * Counted once per change of a category or a thread (version stamps), not on every request.
 */
export async function listCategoriesWithStats(): Promise<CategoryWithStats[]> {
  const stats = await statsCache.get('all', countCategoryStats);
  return stats.map((c) => ({ ...copyOf(c), threadCount: c.threadCount, latest: c.latest ? { ...c.latest } : null }));
}

async function countCategoryStats(): Promise<CategoryWithStats[]> {
  const categories = await listCategories();
  return Promise.all(
    categories.map(async (c) => {
      const [threadCount, latest] = await Promise.all([
        BoardThread.countDocuments({ category: c._id, hidden: false }),
        BoardThread.findOne({ category: c._id, hidden: false }, { title: 1, lastActivityAt: 1, lastPosterName: 1 })
          .sort({ lastActivityAt: -1 })
          .lean<CategoryWithStats['latest']>(),
      ]);
      return { ...c, threadCount, latest };
    }),
  );
}

export async function findCategoryBySlug(slug: unknown): Promise<CategoryView> {
  if (typeof slug !== 'string' || !/^[a-z0-9][a-z0-9-]{0,60}$/.test(slug)) throw new NotFoundError();
  const category = (await cachedCategories()).find((c) => c.slug === slug);
  if (!category) throw new NotFoundError();
  return copyOf(category);
}

export async function findCategoryById(id: unknown): Promise<CategoryView> {
  if (!(id instanceof Types.ObjectId) && !isObjectId(id)) throw new NotFoundError();
  const category = (await cachedCategories()).find((c) => String(c._id) === String(id));
  if (!category) throw new NotFoundError();
  return copyOf(category);
}

export const CategoryForm = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'board:admin.slugFormat')
    .refine((s) => !RESERVED_SLUGS.includes(s), 'board:admin.slugReserved'),
  nameEn: fields.text(80),
  nameZh: fields.text(80),
  descriptionEn: fields.text(500),
  descriptionZh: fields.text(500),
});
export type CategoryInput = z.infer<typeof CategoryForm>;

export function categoryValues(c: CategoryView): Record<string, string> {
  return { slug: c.slug, nameEn: c.name.en, nameZh: c.name['zh-CN'], descriptionEn: c.description.en, descriptionZh: c.description['zh-CN'] };
}

function toFields(input: CategoryInput) {
  return {
    slug: input.slug,
    name: { en: input.nameEn, 'zh-CN': input.nameZh },
    description: { en: input.descriptionEn, 'zh-CN': input.descriptionZh },
  };
}

const slugTaken = () => new ValidationError({ slug: { key: 'board:admin.slugTaken' } });

export async function createCategory(deps: { clock: Clock }, actor: Actor | undefined, input: CategoryInput): Promise<CategoryView> {
  assertRole(actor, 'organizer');
  const last = await BoardCategory.findOne({}, { position: 1 }).sort({ position: -1 }).lean();
  try {
    const created = await BoardCategory.create({ ...toFields(input), position: (last?.position ?? -1) + 1 });
    await recordAudit({ actor, action: 'board.category.create', targetType: 'BoardCategory', targetId: String(created._id), after: toFields(input), at: deps.clock() });
    return created.toObject();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw slugTaken();
    throw err;
  }
}

export async function updateCategory(deps: { clock: Clock }, actor: Actor | undefined, id: string, input: CategoryInput): Promise<CategoryView> {
  assertRole(actor, 'organizer');
  const before = await findCategoryById(id);
  try {
    const updated = await BoardCategory.findOneAndUpdate({ _id: before._id }, { $set: toFields(input) }, { returnDocument: 'after' }).lean<CategoryView>();
    if (!updated) throw new NotFoundError();
    await recordAudit({ actor, action: 'board.category.update', targetType: 'BoardCategory', targetId: id, before: categoryValues(before), after: toFields(input), at: deps.clock() });
    return updated;
  } catch (err) {
    if (isDuplicateKeyError(err)) throw slugTaken();
    throw err;
  }
}

/** Moves a category one place up or down (renumbers all positions, so gaps and ties disappear). */
export async function moveCategory(deps: { clock: Clock }, actor: Actor | undefined, id: string, direction: 'up' | 'down'): Promise<void> {
  assertRole(actor, 'organizer');
  const target = await findCategoryById(id);
  const ordered = await listCategories();
  const index = ordered.findIndex((c) => String(c._id) === String(target._id));
  const swapWith = direction === 'up' ? index - 1 : index + 1;
  if (index < 0 || swapWith < 0 || swapWith >= ordered.length) return;
  const next = [...ordered];
  [next[index], next[swapWith]] = [next[swapWith]!, next[index]!];
  await BoardCategory.bulkWrite(next.map((c, position) => ({ updateOne: { filter: { _id: c._id }, update: { $set: { position } } } })));
  await recordAudit({ actor, action: 'board.category.move', targetType: 'BoardCategory', targetId: id, note: direction, at: deps.clock() });
}
