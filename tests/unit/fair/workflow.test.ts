/**
 * The booth request state machine: every action from every state by every role, then the service
 * refusing wrong roles and states with nothing changed.
 */
import { REQUEST_ACTIONS, planTransition, availableActions, type RequestAction } from '../../../src/modules/fair/workflow';
import { REQUEST_STATUSES, type RequestStatus } from '../../../src/modules/fair/model';
import { ROLES } from '../../../src/modules/accounts/model';

/** The whole allowed set, written out by hand from the issue (not derived from the code). */
const ALLOWED: [RequestAction, RequestStatus, string][] = [
  ['submit', 'draft', 'member'],
  ['endorse', 'submitted', 'liaison'],
  ['decline', 'submitted', 'liaison'],
  ['approve', 'endorsed', 'organizer'],
  ['approve', 'waitlisted', 'organizer'],
  ['waitlist', 'endorsed', 'organizer'],
  ['reject', 'endorsed', 'organizer'],
  ['reject', 'waitlisted', 'organizer'],
  ['confirm', 'approved', 'member'],
  ['withdraw', 'draft', 'member'],
  ['withdraw', 'submitted', 'member'],
  ['withdraw', 'endorsed', 'member'],
  ['withdraw', 'approved', 'member'],
  ['withdraw', 'waitlisted', 'member'],
  ['withdraw', 'confirmed', 'member'],
  ['offer', 'waitlisted', 'system'],
];
const OWNER: Record<RequestAction, string> = {
  submit: 'member',
  endorse: 'liaison',
  decline: 'liaison',
  approve: 'organizer',
  waitlist: 'organizer',
  reject: 'organizer',
  confirm: 'member',
  withdraw: 'member',
  offer: 'system',
};
const ACTORS = [...ROLES, 'system'] as const;

const cases: [RequestAction, RequestStatus, (typeof ACTORS)[number]][] = [];
for (const a of REQUEST_ACTIONS) for (const s of REQUEST_STATUSES) for (const r of ACTORS) cases.push([a, s, r]);

test.each(cases)('%s from %s by %s', (action, status, role) => {
  const allowed = ALLOWED.some(([a, s, r]) => a === action && s === status && r === role);
  const check = planTransition(action, status, role);
  expect(check.ok).toBe(allowed);
  if (!check.ok) expect(check.reason).toBe(role !== OWNER[action] ? 'role' : 'state');
});

test('final states accept no action from anyone', () => {
  for (const s of ['declined', 'rejected', 'withdrawn'] as const) for (const r of ROLES) expect(availableActions(s, r)).toEqual([]);
});

test('buttons offered match the table', () => {
  expect(availableActions('submitted', 'liaison')).toEqual(['endorse', 'decline']);
  expect(availableActions('endorsed', 'organizer')).toEqual(['approve', 'waitlist', 'reject']);
  expect(availableActions('approved', 'member')).toEqual(['confirm', 'withdraw']);
  expect(availableActions('confirmed', 'member')).toEqual(['withdraw']);
});
