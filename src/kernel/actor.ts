/**
 * Who is asking. Routes hand the signed-in user to services as an Actor — a plain object — and the
 * services make every role and ownership decision themselves (views only hide what a service would
 * refuse anyway).
 */
import { ForbiddenError, UnauthenticatedError } from './errors';
import type { Language } from './language';

export const ROLES = ['member', 'liaison', 'organizer'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: string;
  role: Role;
  name: string;
  email: string;
  language: Language;
  /** ASEM member code: the company's member (member) or the represented member (liaison). */
  member: string | null;
  companyId: string | null;
  createdAt: Date;
}

/** For services: refuse unless the actor has one of the roles. */
export function assertRole(actor: Actor | undefined, ...roles: Role[]): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!roles.includes(actor.role)) throw new ForbiddenError();
}
