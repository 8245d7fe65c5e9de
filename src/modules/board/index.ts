/**
 * The board module's front door: what other modules may use of the message board.
 */
export { BoardCategory, BoardThread, BoardPost, BoardSubscription, BoardReport } from './model';
export { latestThreads } from './service';
