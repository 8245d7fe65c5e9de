/**
 * The board module's front door: what other modules may use of the message board.
 */
export { latestThreads, type ThreadSummary } from './service';
export { postsPerMonth } from './figures';
/** The models themselves, only for tools that fill a database in bulk (src/demo) and their tests. */
export { BoardCategory, BoardThread, BoardPost, BoardSubscription, BoardReport } from './model';
