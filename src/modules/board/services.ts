/**
 * The board's service, built once at start-up from its dependencies (mailer, clock, base URL, the
 * secret that signs unsubscribe links, the posting limiter); every method takes the actor first.
 */
import type { Actor } from '../../kernel';
import { createCategory, listCategories, listCategoriesWithStats, moveCategory, seedCategories, updateCategory, findCategoryById, type CategoryInput } from './categories';
import { repairThreadCounters } from './counters';
import { MARKDOWN_VERSION } from '../../web/markdown';
import { onceForVersion, repairsNeeded, type StartUpState } from '../../web/start-up';
import { decideReport, hidePost, listReports, moderateThread, openReportCount, restorePost, type ThreadModerationInput } from './moderation';
import {
  assertCanReply,
  createThread,
  deletePost,
  editPost,
  findVisiblePost,
  findVisibleThread,
  latestThreads,
  listThreads,
  loadPostForDelete,
  loadPostForEdit,
  locatePost,
  quoteCandidate,
  readThread,
  reply,
  reportPost,
  rerenderStalePosts,
  searchBoard,
  type BoardDeps,
  type EditPostInput,
  type ReplyInput,
  type ThreadInput,
} from './service';
import { describeUnsubscribe, subscribe, unsubscribe, unsubscribeByToken } from './subscriptions';
import type { Types } from 'mongoose';

export type { BoardDeps } from './service';

export function createBoardService(deps: BoardDeps) {
  return {
    // Reading
    listCategories,
    listCategoriesWithStats,
    findCategoryById,
    listThreads,
    latestThreads,
    findVisibleThread,
    findVisiblePost,
    readThread: (actor: Actor | undefined, threadId: unknown, page: { skip: number; perPage: number }) => readThread(deps, actor, threadId, page),
    locatePost,
    searchBoard,
    quoteCandidate,
    assertCanReply,
    loadPostForEdit,
    loadPostForDelete,
    // Writing
    createThread: (actor: Actor | undefined, slug: string, input: ThreadInput) => createThread(deps, actor, slug, input),
    reply: (actor: Actor | undefined, threadId: unknown, input: ReplyInput) => reply(deps, actor, threadId, input),
    editPost: (actor: Actor | undefined, postId: unknown, input: EditPostInput) => editPost(deps, actor, postId, input),
    deletePost: (actor: Actor | undefined, postId: unknown) => deletePost(deps, actor, postId),
    reportPost: (actor: Actor | undefined, postId: unknown, reason: string) => reportPost(deps, actor, postId, reason),
    // Subscriptions
    subscribe: (actor: Actor | undefined, threadId: Types.ObjectId) => subscribe(deps, actor, threadId),
    unsubscribe,
    describeUnsubscribe: (token: unknown) => describeUnsubscribe(deps, token),
    unsubscribeByToken: (token: unknown) => unsubscribeByToken(deps, token),
    // Moderation (organizer)
    moderateThread: (actor: Actor | undefined, threadId: unknown, input: ThreadModerationInput) => moderateThread(deps, actor, threadId, input),
    hidePost: (actor: Actor | undefined, postId: unknown, reason: string) => hidePost(deps, actor, postId, reason),
    restorePost: (actor: Actor | undefined, postId: unknown) => restorePost(deps, actor, postId),
    listReports,
    openReportCount,
    decideReport: (actor: Actor | undefined, reportId: unknown, decision: 'resolve' | 'dismiss' | 'hide') => decideReport(deps, actor, reportId, decision),
    createCategory: (actor: Actor | undefined, input: CategoryInput) => createCategory(deps, actor, input),
    updateCategory: (actor: Actor | undefined, id: string, input: CategoryInput) => updateCategory(deps, actor, id, input),
    moveCategory: (actor: Actor | undefined, id: string, direction: 'up' | 'down') => moveCategory(deps, actor, id, direction),
    // Start-up (idempotent)
    async startUp(state?: StartUpState): Promise<{ added: number; rerendered: number; repaired: number; removed: number }> {
      const added = await seedCategories(deps);
      const rerendered = await onceForVersion(state, 'board-post-html', MARKDOWN_VERSION, rerenderStalePosts, 0);
      // The counters drift only when a process dies between a reply's two writes.
      const { repaired, removed } = repairsNeeded(state) ? await repairThreadCounters(deps.clock) : { repaired: 0, removed: 0 };
      return { added, rerendered, repaired, removed };
    },
  };
}

export type BoardService = ReturnType<typeof createBoardService>;
