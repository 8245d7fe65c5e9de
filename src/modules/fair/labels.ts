/**
 * What the fair's pages show for codes: the status badge classes, and ASEM members by their name in
 * the reader's language (the code stays in a tooltip or a column of its own).
 */
import { compareNames, type Language } from '../../web/i18n';
import { listAsemMembers } from '../members';
import type { RequestStatus } from './model';

export const STATUS_CLASS: Record<RequestStatus, string> = {
  draft: 'status-neutral',
  submitted: 'status-warn',
  endorsed: 'status-warn',
  declined: 'status-bad',
  approved: 'status-ok',
  waitlisted: 'status-warn',
  rejected: 'status-bad',
  confirmed: 'status-ok',
  withdrawn: 'status-neutral',
};

/** The member's name in `lang`, by code; an unknown code is shown as itself. */
export async function memberNamer(lang: Language): Promise<(code: string) => string> {
  const names = new Map((await listAsemMembers(lang)).map((m) => [m.code, m.name[lang] || m.name.en]));
  return (code: string) => names.get(code) ?? code;
}

/** Rows sorted by their member's name in the reader's language, ignoring a leading "the". */
export function byMemberName<T>(rows: T[], memberOf: (row: T) => string, name: (code: string) => string, lang: Language): T[] {
  const compare = compareNames(lang);
  return [...rows].sort((a, b) => compare(name(memberOf(a)), name(memberOf(b))));
}
