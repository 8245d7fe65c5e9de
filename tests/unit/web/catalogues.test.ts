/**
 * Every locale namespace has the same keys in English and in Chinese (a missing key shows its name on
 * the page). Plural forms differ by language — English has `_one` and `_other`, Chinese only `_other` —
 * so plural keys are compared by their base key, and each plural needs the `_other` form in both.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const LOCALES = path.resolve(__dirname, '../../../locales');
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

function catalogue(lang: string, file: string): Map<string, unknown> {
  return flatten(JSON.parse(readFileSync(path.join(LOCALES, lang, file), 'utf8')) as Record<string, unknown>);
}

/** Base keys (plural suffixes removed) and the plural bases among them. */
function shape(keys: Iterable<string>): { bases: string[]; plurals: Set<string> } {
  const bases = new Set<string>();
  const plurals = new Set<string>();
  for (const key of keys) {
    const base = key.replace(PLURAL_SUFFIX, '');
    bases.add(base);
    if (base !== key) plurals.add(base);
  }
  return { bases: [...bases].sort(), plurals };
}

const enFiles = readdirSync(path.join(LOCALES, 'en')).filter((f) => f.endsWith('.json')).sort();
const zhFiles = readdirSync(path.join(LOCALES, 'zh-CN')).filter((f) => f.endsWith('.json')).sort();

test('both languages have the same namespaces', () => {
  expect(zhFiles).toEqual(enFiles);
  expect(enFiles.length).toBeGreaterThanOrEqual(10);
});

describe.each(enFiles)('namespace %s', (file) => {
  const en = catalogue('en', file);
  const zh = catalogue('zh-CN', file);

  test('English and Chinese have the same keys (plural forms by their base key)', () => {
    expect(shape(zh.keys()).bases).toEqual(shape(en.keys()).bases);
  });

  test('every plural has its _other form in both languages', () => {
    const plurals = new Set([...shape(en.keys()).plurals, ...shape(zh.keys()).plurals]);
    const missing = [...plurals].flatMap((base) => [en.has(`${base}_other`) ? [] : [`en ${base}_other`], zh.has(`${base}_other`) ? [] : [`zh-CN ${base}_other`]].flat());
    expect(missing).toEqual([]);
  });

  test('every value is a non-empty string', () => {
    const bad = [...en, ...zh].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });
});

test('the comparison notices a key missing in one language', () => {
  expect(shape(['a.b', 'a.c_one', 'a.c_other']).bases).not.toEqual(shape(['a.b']).bases);
  expect(shape(['a.c_one', 'a.c_other']).bases).toEqual(shape(['a.c_other']).bases);
});
