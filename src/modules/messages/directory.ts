/**
 * The liaison directory: the liaisons grouped by ASEM member, a page at a time, in the reader's
 * language, with whether the reader may write to each. E-mail addresses are never part of it.
 */
import type { Actor } from '../../kernel';
import { localized, type Language, collatorFor } from '../../web/i18n';
import { listAsemMembers } from '../members';
import { listLiaisonPage, mayContact, type Contact } from './contacts';

/** Liaisons per page of the directory (groups continue on the next page). */
export const LIAISONS_PER_PAGE = 50;

export interface DirectoryGroup {
  code: string;
  name: string;
  liaisons: (Contact & { mayWrite: boolean; languageNames: string[] })[];
}

/** Working languages are kept as language tags (en, zh-CN, fr): named in the reader's language. */
function languageNamer(lang: Language): (tag: string) => string {
  const names = new Intl.DisplayNames([lang], { type: 'language', fallback: 'code' });
  return (tag) => {
    try {
      return /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(tag) ? names.of(tag) ?? tag : tag;
    } catch {
      return tag;
    }
  };
}

export async function liaisonDirectory(reader: Actor | undefined, lang: Language, page: { skip: number; perPage: number }): Promise<{ groups: DirectoryGroup[]; total: number }> {
  const [members, { contacts: liaisons, total }] = await Promise.all([listAsemMembers(lang), listLiaisonPage(page)]);
  const groups = new Map<string, DirectoryGroup>();
  for (const m of members) groups.set(m.code, { code: m.code, name: localized(m.name, lang), liaisons: [] });
  const collator = collatorFor(lang);
  const languageName = languageNamer(lang);
  for (const l of liaisons) {
    const code = l.member ?? '';
    let group = groups.get(code);
    if (!group) {
      group = { code, name: code, liaisons: [] };
      groups.set(code, group);
    }
    group.liaisons.push({ ...l, mayWrite: !!reader && mayContact(reader, l), languageNames: l.languages.map(languageName) });
  }
  const result = [...groups.values()].filter((g) => g.liaisons.length > 0);
  for (const g of result) g.liaisons.sort((a, b) => collator.compare(a.name, b.name));
  return { groups: result, total };
}

/** ASEM member code → name in the reader's language. */
export async function memberNames(lang: Language): Promise<Map<string, string>> {
  const members = await listAsemMembers(lang);
  return new Map(members.map((m) => [m.code, localized(m.name, lang)]));
}
