/**
 * The practices service, built once at start-up from its dependencies (file store, mailer, clock,
 * base URL); every method takes the actor first.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../../kernel';
import type { UploadedFile } from '../../web/uploads';
import type { PracticeInput } from './forms';
import {
  allowedKinds,
  attachmentFor,
  authorDetails,
  createPractice,
  deletePractice,
  expressInterest,
  getOwnPractice,
  getReadablePractice,
  hidePractice,
  interestOf,
  latestPractices,
  listPractices,
  moderationList,
  ownPractices,
  reindexStalePractices,
  relatedPractices,
  rerenderStalePractices,
  restorePractice,
  updatePractice,
  SEARCH_VERSION,
  type PracticesDeps,
} from './service';
import { MARKDOWN_VERSION } from '../../web/markdown';
import { onceForVersion, type StartUpState } from '../../web/start-up';

export type { PracticesDeps } from './service';

export function createPracticesService(deps: PracticesDeps) {
  return {
    allowedKinds,
    getReadablePractice,
    getOwnPractice,
    attachmentFor,
    authorDetails,
    relatedPractices,
    interestOf: (actor: Actor | undefined, practiceId: Types.ObjectId) => interestOf(actor, practiceId),
    listPractices,
    latestPractices,
    ownPractices,
    moderationList,
    createPractice: (actor: Actor, input: PracticeInput, files: UploadedFile[]) => createPractice(deps, actor, input, files),
    updatePractice: (actor: Actor, id: unknown, input: PracticeInput, files: UploadedFile[]) => updatePractice(deps, actor, id, input, files),
    deletePractice: (actor: Actor, id: unknown) => deletePractice(deps, actor, id),
    expressInterest: (actor: Actor, id: unknown) => expressInterest(deps, actor, id),
    hidePractice: (actor: Actor, id: unknown, reason: string) => hidePractice(deps, actor, id, reason),
    restorePractice: (actor: Actor, id: unknown, reason: string) => restorePractice(deps, actor, id, reason),
    /** Start-up (idempotent): re-render HTML of an older renderer, re-index terms of an older version. */
    async startUp(state?: StartUpState): Promise<{ rerendered: number; reindexed: number }> {
      return {
        rerendered: await onceForVersion(state, 'practice-html', MARKDOWN_VERSION, rerenderStalePractices, 0),
        reindexed: await onceForVersion(state, 'practice-search-terms', SEARCH_VERSION, reindexStalePractices, 0),
      };
    },
  };
}

export type PracticesService = ReturnType<typeof createPracticesService>;
