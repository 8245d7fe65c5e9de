/**
 * The workflow's human steps on one request (submit, endorse, decline, waitlist, reject, confirm,
 * withdraw; approve goes through allocation), and the steps an actor may take now, for the views.
 */
import { trusted } from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../../kernel';
import { ConflictError, ForbiddenError } from '../../kernel';
import { fields } from '../../web/forms';
import { recordAudit } from '../audit';
import { approve, releaseBooths, type ApproveInput } from './allocation';
import type { FairDeps } from './deps';
import { findEdition, quotaFor, requestWindowOpen } from './editions';
import { ACTIVE_STATUSES, BoothRequest, type BoothRequestDoc, type RequestStatus } from './model';
import { notifyStep } from './notify';
import { offerFreedBooths } from './offers';
import { canSee, getRequest } from './requests';
import { timelineEntry } from './timeline';
import { TRANSITIONS, availableActions, planTransition, type RequestAction } from './workflow';

export const NoteForm = z.object({ note: fields.optionalText(2000), back: z.string().optional() });
export type NoteInput = z.infer<typeof NoteForm>;

export type HumanAction = Exclude<RequestAction, 'offer'>;
export const HUMAN_ACTIONS: readonly HumanAction[] = ['submit', 'endorse', 'decline', 'approve', 'waitlist', 'reject', 'confirm', 'withdraw'];
/** Steps that cannot be undone and are asked about on a page of their own first. */
export const CONFIRMED_ACTIONS: readonly HumanAction[] = ['reject'];

export function isHumanAction(v: string): v is HumanAction {
  return (HUMAN_ACTIONS as readonly string[]).includes(v);
}

/** The steps `actor` may take on `request` now: what the views show as buttons. */
export function allowedActions(actor: Actor, request: Pick<BoothRequestDoc, 'requester' | 'company' | 'member' | 'status'>): HumanAction[] {
  if (!canSee(actor, request)) return [];
  return availableActions(request.status, actor.role).filter((a): a is HumanAction => a !== 'offer');
}

function refuse(check: { ok: false; reason: 'role' | 'state' }, status: RequestStatus): never {
  if (check.reason === 'role') throw new ForbiddenError('fair:errors.wrongRole');
  throw new ConflictError('fair:errors.wrongState', { status });
}

/** The request, if `actor` may take `action` on it now: 404 unseen, 403 wrong role, 409 wrong state. */
export async function requestFor(actor: Actor, id: string, action: HumanAction): Promise<BoothRequestDoc> {
  const request = await getRequest(actor, id);
  const check = planTransition(action, request.status, actor.role);
  if (!check.ok) refuse(check, request.status);
  return request;
}

/** The organizer gives booths: checked like any step, then allocated. */
export async function approveRequest(deps: FairDeps, actor: Actor, id: string, input: ApproveInput): Promise<BoothRequestDoc> {
  const request = await requestFor(actor, id, 'approve');
  return approve(deps, actor, await findEdition(request.edition), request, input);
}

/** Every other human step. Checks visibility (404), role (403) and state (409) before writing anything. */
export async function transition(deps: FairDeps, actor: Actor, id: string, action: Exclude<HumanAction, 'approve'>, input: NoteInput = {}): Promise<BoothRequestDoc> {
  const request = await requestFor(actor, id, action);
  const now = deps.clock();
  const note = input.note ?? '';
  const edition = await findEdition(request.edition);
  if (action === 'submit') {
    if (!requestWindowOpen(edition, now)) throw new ConflictError('fair:errors.windowClosed');
    if (request.boothCount > quotaFor(edition, request.member)) throw new ConflictError('fair:errors.overQuotaNow', { quota: quotaFor(edition, request.member) });
  }
  if (action === 'withdraw' && now >= edition.startsOn) throw new ConflictError('fair:errors.fairStarted');

  const rule = TRANSITIONS[action];
  const set: Record<string, unknown> = { status: rule.to, active: ACTIVE_STATUSES.includes(rule.to) };
  if (action === 'submit') set.submittedAt = now;
  if (action === 'waitlist') set.waitlistedAt = now;
  const freed = action === 'withdraw' ? request.booths : [];
  if (action === 'withdraw') set.booths = [];
  const updated = await BoothRequest.findOneAndUpdate(
    { _id: request._id, status: trusted({ $in: [...rule.from] }) },
    { $set: set, $push: { timeline: timelineEntry(action, request.status, rule.to, actor, now, note, freed.map((b) => b.code)) } },
    { returnDocument: 'after' },
  ).lean<BoothRequestDoc>();
  if (!updated) throw new ConflictError('fair:errors.wrongState', { status: request.status });
  await recordAudit({ actor, action: `fair.request.${action}`, targetType: 'BoothRequest', targetId: id, before: { status: request.status }, after: { status: rule.to }, note, at: now });
  await notifyStep(deps, { edition, request: updated, action, note, booths: freed.map((b) => b.code) });
  if (freed.length) {
    await releaseBooths(edition, request, freed);
    await offerFreedBooths(deps, edition, freed, request.member);
  }
  return updated;
}
