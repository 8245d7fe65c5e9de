/**
 * Who may write to whom. One rule, used everywhere (the "write" links, the recipient list, and the
 * check when a conversation starts):
 * - the organizer may write to anyone;
 * - a liaison to other liaisons, to the organizer(s), and to the SMEs of its own ASEM member
 *   (the other side of "a member may write to its own liaison");
 * - a member only to the liaisons of its own ASEM member.
 * Nobody writes to themselves or to a suspended or unverified account.
 */
import { Types, trusted } from 'mongoose';
import type { Role } from '../accounts/model';
import { User } from '../accounts/model';

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

const CONTACT_FIELDS = { name: 1, role: 1, member: 1, agency: 1, languages: 1 } as const;

interface ContactRow {
  _id: Types.ObjectId;
  name: string;
  role: Role;
  member?: string | null;
  agency?: string | null;
  languages?: string[];
}

function toContact(u: ContactRow): Contact {
  return { id: String(u._id), name: u.name, role: u.role, member: u.member ?? null, agency: u.agency ?? '', languages: u.languages ?? [] };
}

/** Accounts that can take part in a conversation at all: active and verified. */
const REACHABLE = { status: 'active' as const, emailVerifiedAt: trusted({ $exists: true, $ne: null }) };

/** The people with these ids that exist and can be reached (unknown ids are simply absent). */
export async function findContacts(ids: string[]): Promise<Contact[]> {
  const valid = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id) && /^[a-f0-9]{24}$/i.test(id));
  if (!valid.length) return [];
  const rows = await User.find({ _id: trusted({ $in: valid.map((id) => new Types.ObjectId(id)) }), ...REACHABLE }, CONTACT_FIELDS).lean<ContactRow[]>();
  return rows.map(toContact);
}

/**
 * The people the actor may start a conversation with, for the recipient list: narrowed by a name
 * filter and capped (the organizer may write to everyone, which can be many).
 */
export async function listContactable(actor: Party, opts: { q?: string; limit?: number } = {}): Promise<{ contacts: Contact[]; more: boolean }> {
  const limit = opts.limit ?? 300;
  const or: Record<string, unknown>[] = [];
  if (actor.role === 'organizer') or.push({});
  else if (actor.role === 'liaison') {
    or.push({ role: trusted({ $in: ['liaison', 'organizer'] }) });
    if (actor.member) or.push({ role: 'member', member: actor.member });
  } else if (actor.role === 'member' && actor.member) {
    or.push({ role: 'liaison', member: actor.member });
  }
  if (!or.length) return { contacts: [], more: false };
  const filter: Record<string, unknown> = { ...REACHABLE, _id: trusted({ $ne: new Types.ObjectId(actor.id) }) };
  if (or.length === 1) Object.assign(filter, or[0]);
  else filter.$or = or;
  const q = opts.q?.trim();
  if (q) filter.name = trusted({ $regex: q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' });
  const rows = await User.find(filter, CONTACT_FIELDS).sort({ role: 1, member: 1, name: 1 }).limit(limit + 1).lean<ContactRow[]>();
  const contacts = rows.slice(0, limit).map(toContact).filter((c) => mayContact(actor, c));
  return { contacts, more: rows.length > limit };
}

/** All active liaisons, for the directory (no e-mail addresses). */
export async function listLiaisons(member?: string): Promise<Contact[]> {
  const filter: Record<string, unknown> = { role: 'liaison', ...REACHABLE };
  if (member) filter.member = member.toUpperCase();
  const rows = await User.find(filter, CONTACT_FIELDS).sort({ member: 1, name: 1 }).lean<ContactRow[]>();
  return rows.map(toContact);
}
