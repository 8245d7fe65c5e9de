/**
 * ISIC Rev. 4 sections (A–U) and divisions (two digits), labels in English and Chinese, from
 * seed/isic-rev4.json. Stored as codes; a division implies its section for search.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Language } from '../../kernel';

interface SeedEntry {
  code: string;
  en: string;
  zh: string;
}
interface SeedSection extends SeedEntry {
  divisions: SeedEntry[];
}

export interface IsicEntry {
  code: string;
  label: { en: string; 'zh-CN': string };
  section: string;
  isSection: boolean;
}

const SEED = path.resolve(__dirname, '../../../seed/isic-rev4.json');
const sections = (JSON.parse(readFileSync(SEED, 'utf8')) as { sections: SeedSection[] }).sections;

export const ISIC: readonly IsicEntry[] = sections.flatMap((s) => [
  { code: s.code, label: { en: s.en, 'zh-CN': s.zh }, section: s.code, isSection: true },
  ...s.divisions.map((d) => ({ code: d.code, label: { en: d.en, 'zh-CN': d.zh }, section: s.code, isSection: false })),
]);
const BY_CODE = new Map(ISIC.map((e) => [e.code, e]));

export function isIsicCode(code: string): boolean {
  return BY_CODE.has(code);
}

export function isicLabel(code: string, lang: Language): string {
  const e = BY_CODE.get(code);
  return e ? `${e.code} – ${e.label[lang]}` : code;
}

/** The options of a sector list: sections, each followed by its divisions. */
export function isicOptions(lang: Language): { value: string; label: string }[] {
  return ISIC.map((e) => ({ value: e.code, label: e.isSection ? `${e.code} – ${e.label[lang]}` : `\u00a0\u00a0${e.code} – ${e.label[lang]}` }));
}

/** Codes with their sections added (a division implies its section), for storage. */
export function withSections(codes: string[]): string[] {
  const out = new Set<string>();
  for (const c of codes) {
    const e = BY_CODE.get(c);
    if (!e) continue;
    out.add(e.code);
    out.add(e.section);
  }
  return [...out];
}
