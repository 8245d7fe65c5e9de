/**
 * The booth request workflow as data: which action moves a request from which states to which
 * state, and which role may take it. Services ask `planTransition` before any write, and then write
 * with the same `from` states as the condition of an atomic update, so a refusal changes nothing
 * and two concurrent clicks cannot both pass.
 */
import type { Role } from '../../kernel';
import type { RequestStatus } from './model';

export const REQUEST_ACTIONS = ['submit', 'endorse', 'decline', 'approve', 'waitlist', 'reject', 'confirm', 'withdraw', 'offer'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export interface TransitionRule {
  from: readonly RequestStatus[];
  to: RequestStatus;
  /** 'system' actions are taken by the portal itself (offering a freed booth to the waitlist). */
  role: Role | 'system';
}

export const TRANSITIONS: Record<RequestAction, TransitionRule> = {
  submit: { from: ['draft'], to: 'submitted', role: 'member' },
  endorse: { from: ['submitted'], to: 'endorsed', role: 'liaison' },
  decline: { from: ['submitted'], to: 'declined', role: 'liaison' },
  approve: { from: ['endorsed', 'waitlisted'], to: 'approved', role: 'organizer' },
  waitlist: { from: ['endorsed'], to: 'waitlisted', role: 'organizer' },
  reject: { from: ['endorsed', 'waitlisted'], to: 'rejected', role: 'organizer' },
  confirm: { from: ['approved'], to: 'confirmed', role: 'member' },
  withdraw: { from: ['draft', 'submitted', 'endorsed', 'approved', 'waitlisted', 'confirmed'], to: 'withdrawn', role: 'member' },
  offer: { from: ['waitlisted'], to: 'approved', role: 'system' },
};

export type TransitionCheck = { ok: true; rule: TransitionRule } | { ok: false; reason: 'role' | 'state' };

/** Whether `role` may take `action` on a request in `status`. Role is checked first: a stranger learns nothing about the state. */
export function planTransition(action: RequestAction, status: RequestStatus, role: Role | 'system'): TransitionCheck {
  const rule = TRANSITIONS[action];
  if (rule.role !== role) return { ok: false, reason: 'role' };
  if (!rule.from.includes(status)) return { ok: false, reason: 'state' };
  return { ok: true, rule };
}

/** The actions a role could take now on a request in `status` (for showing the right buttons). */
export function availableActions(status: RequestStatus, role: Role): RequestAction[] {
  return REQUEST_ACTIONS.filter((a) => planTransition(a, status, role).ok);
}
