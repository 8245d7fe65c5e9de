/**
 * The board module's front door: what other modules may use of the message board.
 */
export { latestThreads, type ThreadSummary } from './service';
export { postsPerMonth } from './figures';
