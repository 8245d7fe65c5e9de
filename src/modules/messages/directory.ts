/**
 * The liaison directory: every liaison grouped by ASEM member, in the reader's language, with
 * whether the reader may write to each. E-mail addresses are never part of it.
 */
import type { Actor } from '../../kernel';
import { localized, type Language, collatorFor } from '../../web/i18n';
import { listAsemMembers } from '../members';
import { listLiaisons, mayContact, type Contact } from './contacts';

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

export async function liaisonDirectory(reader: Actor | undefined, lang: Language): Promise<DirectoryGroup[]> {
  const [members, liaisons] = await Promise.all([listAsemMembers(lang), listLiaisons()]);
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
  return result;
}

/** ASEM member code → name in the reader's language. */
export async function memberNames(lang: Language): Promise<Map<string, string>> {
  const members = await listAsemMembers(lang);
  return new Map(members.map((m) => [m.code, localized(m.name, lang)]));
}
