/**
 * Who may write to whom. One rule, used everywhere (the "write" links, the recipient list, and the
 * check when a conversation starts):
 * - the organizer may write to anyone;
 * - a liaison to other liaisons, to the organizer(s), and to the SMEs of its own ASEM member
 *   (the other side of "a member may write to its own liaison");
 * - a member only to the liaisons of its own ASEM member.
 * Nobody writes to themselves or to a suspended or unverified account.
 */
import type { Role } from '../../kernel';
import { liaisonPage, liaisonsOf, reachablePeople, searchPeople, type PeopleGroup, type Person } from '../accounts';

export interface Party {
  id: string;
  role: Role;
  member: string | null;
}

export interface Contact extends Party {
  name: string;
  agency: string;
  languages: string[];
}

export function mayContact(actor: Party, other: Party): boolean {
  if (actor.id === other.id) return false;
  switch (actor.role) {
    case 'organizer':
      return true;
    case 'liaison':
      if (other.role === 'liaison' || other.role === 'organizer') return true;
      return other.role === 'member' && !!actor.member && other.member === actor.member;
    case 'member':
      return other.role === 'liaison' && !!actor.member && other.member === actor.member;
    default:
      return false;
  }
}

function toContact(p: Person): Contact {
  return { id: p.id, name: p.name, role: p.role, member: p.member, agency: p.agency, languages: p.languages };
}

/** The people with these ids that exist and can be reached (unknown ids are simply absent). */
export async function findContacts(ids: string[]): Promise<Contact[]> {
  return (await reachablePeople(ids)).map(toContact);
}

/**
 * The people the actor may start a conversation with, for the recipient list: narrowed by a name
 * filter and capped (the organizer may write to everyone, which can be many).
 */
export async function listContactable(actor: Party, opts: { q?: string; limit?: number } = {}): Promise<{ contacts: Contact[]; more: boolean }> {
  const limit = opts.limit ?? 300;
  const groups: PeopleGroup[] = [];
  if (actor.role === 'organizer') groups.push({});
  else if (actor.role === 'liaison') {
    groups.push({ roles: ['liaison', 'organizer'] });
    if (actor.member) groups.push({ roles: ['member'], member: actor.member });
  } else if (actor.role === 'member' && actor.member) {
    groups.push({ roles: ['liaison'], member: actor.member });
  }
  const { people, more } = await searchPeople(groups, { exceptId: actor.id, limit, ...(opts.q ? { nameContains: opts.q } : {}) });
  return { contacts: people.map(toContact).filter((c) => mayContact(actor, c)), more };
}

/** All reachable liaisons (of one ASEM member, or all), for the directory (no e-mail addresses). */
export async function listLiaisons(member?: string): Promise<Contact[]> {
  return (await liaisonsOf(member)).map(toContact);
}

/** One page of all reachable liaisons, by member then name, and how many there are. */
export async function listLiaisonPage(page: { skip: number; perPage: number }): Promise<{ contacts: Contact[]; total: number }> {
  const { people, total } = await liaisonPage(page);
  return { contacts: people.map(toContact), total };
}
