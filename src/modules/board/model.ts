/**
 * The message board: categories (organizer-managed), threads, their posts in order, subscriptions
 * for reply e-mails and reports of posts for the moderation queue.
 *
 * A post's `number` is its place in the thread, taken from the thread's `postCount` by the same
 * atomic update that checks the thread is open (not locked, not hidden); a unique index on
 * (thread, number) keeps two replies from sharing a place. The thread's counters are derived from
 * its posts and repaired at start-up (counters.ts), so a crash between two writes cannot leave them wrong.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';
import { bumpsCacheVersion } from '../../web/cache-versions';

const Localized = { en: { type: String, default: '' }, 'zh-CN': { type: String, default: '' } };

export interface LocalizedText {
  en: string;
  'zh-CN': string;
}

export interface BoardCategoryDoc {
  _id: Types.ObjectId;
  slug: string;
  name: LocalizedText;
  description: LocalizedText;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

const BoardCategorySchema = new Schema<BoardCategoryDoc>(
  {
    slug: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: Localized,
    description: Localized,
    position: { type: Number, default: 0, index: true },
  },
  { timestamps: true },
);

export interface BoardThreadDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  category: Types.ObjectId;
  title: string;
  author: Types.ObjectId;
  authorName: string;
  createdAt: Date;
  lastActivityAt: Date;
  lastPosterName: string;
  /** Places taken in the thread (the opening post included). */
  postCount: number;
  replyCount: number;
  pinned: boolean;
  locked: boolean;
  hidden: boolean;
  hiddenReason: string;
}

const BoardThreadSchema = new Schema<BoardThreadDoc>({
  // Created by the demo-data tool: never counted in the figures.
  demo: { type: Boolean, default: false },
  category: { type: Schema.Types.ObjectId, ref: 'BoardCategory', required: true },
  title: { type: String, required: true, trim: true },
  author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  authorName: { type: String, default: '' },
  createdAt: { type: Date, required: true },
  lastActivityAt: { type: Date, required: true },
  lastPosterName: { type: String, default: '' },
  postCount: { type: Number, default: 0 },
  replyCount: { type: Number, default: 0 },
  pinned: { type: Boolean, default: false },
  locked: { type: Boolean, default: false },
  hidden: { type: Boolean, default: false },
  hiddenReason: { type: String, default: '' },
});
BoardThreadSchema.index({ category: 1, hidden: 1, pinned: -1, lastActivityAt: -1 });
BoardThreadSchema.index({ hidden: 1, lastActivityAt: -1 });

export interface BoardPostDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  thread: Types.ObjectId;
  category: Types.ObjectId;
  number: number;
  author: Types.ObjectId;
  authorName: string;
  body: string;
  html: string;
  /** The Markdown renderer version `html` was made with (src/web/markdown.ts); older ones are re-rendered at start-up. */
  htmlVersion: number;
  /** The post this reply quotes (same thread); shown from that post when read, never copied. */
  quote: Types.ObjectId | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  hidden: boolean;
  hiddenReason: string;
  /** Mirrors the thread's hidden flag, so search can leave out the posts of hidden threads. */
  threadHidden: boolean;
  /** Search terms (src/web/search.ts): the body, and for the opening post the thread's title too. */
  searchTerms: string[];
}

const BoardPostSchema = new Schema<BoardPostDoc>({
  // Created by the demo-data tool: never counted in the figures.
  demo: { type: Boolean, default: false },
  thread: { type: Schema.Types.ObjectId, ref: 'BoardThread', required: true },
  category: { type: Schema.Types.ObjectId, ref: 'BoardCategory', required: true },
  number: { type: Number, required: true },
  author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  authorName: { type: String, default: '' },
  body: { type: String, default: '' },
  html: { type: String, default: '' },
  htmlVersion: { type: Number, default: 1 },
  quote: { type: Schema.Types.ObjectId, ref: 'BoardPost', default: null },
  createdAt: { type: Date, required: true },
  editedAt: { type: Date, default: null },
  deletedAt: { type: Date, default: null },
  hidden: { type: Boolean, default: false },
  hiddenReason: { type: String, default: '' },
  threadHidden: { type: Boolean, default: false },
  searchTerms: { type: [String], default: [], select: false },
});
BoardPostSchema.index({ thread: 1, number: 1 }, { unique: true });
BoardPostSchema.index({ searchTerms: 1 });
// The figures count posts per month in a date range.
BoardPostSchema.index({ createdAt: 1 });

export interface BoardSubscriptionDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  thread: Types.ObjectId;
  createdAt: Date;
  /** When the last reply e-mail went out; null = armed (the next reply sends one). */
  notifiedAt: Date | null;
  lastVisitedAt: Date | null;
}

const BoardSubscriptionSchema = new Schema<BoardSubscriptionDoc>({
  user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  thread: { type: Schema.Types.ObjectId, ref: 'BoardThread', required: true, index: true },
  createdAt: { type: Date, required: true },
  notifiedAt: { type: Date, default: null },
  lastVisitedAt: { type: Date, default: null },
});
BoardSubscriptionSchema.index({ user: 1, thread: 1 }, { unique: true });

export const REPORT_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface BoardReportDoc {
  _id: Types.ObjectId;
  post: Types.ObjectId;
  thread: Types.ObjectId;
  reporter: Types.ObjectId;
  reporterName: string;
  reason: string;
  status: ReportStatus;
  createdAt: Date;
  handledBy: Types.ObjectId | null;
  handledByName: string;
  handledAt: Date | null;
}

const BoardReportSchema = new Schema<BoardReportDoc>({
  post: { type: Schema.Types.ObjectId, ref: 'BoardPost', required: true, index: true },
  thread: { type: Schema.Types.ObjectId, ref: 'BoardThread', required: true },
  reporter: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  reporterName: { type: String, default: '' },
  reason: { type: String, required: true },
  status: { type: String, enum: REPORT_STATUSES, default: 'open', index: true },
  createdAt: { type: Date, required: true },
  handledBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  handledByName: { type: String, default: '' },
  handledAt: { type: Date, default: null },
});

/** Version stamp of the cached category list (src/web/cache-versions.ts). */
export const CATEGORIES_STAMP = 'board-categories';
bumpsCacheVersion(BoardCategorySchema, CATEGORIES_STAMP);
/** Raised by every write to a thread (new thread, reply, move, hide, pin): the board's front page figures key on it. */
export const THREADS_STAMP = 'board-threads';
bumpsCacheVersion(BoardThreadSchema, THREADS_STAMP);

export const BoardCategory: Model<BoardCategoryDoc> =
  (models.BoardCategory as Model<BoardCategoryDoc>) ?? model<BoardCategoryDoc>('BoardCategory', BoardCategorySchema, 'board_categories');
export const BoardThread: Model<BoardThreadDoc> =
  (models.BoardThread as Model<BoardThreadDoc>) ?? model<BoardThreadDoc>('BoardThread', BoardThreadSchema, 'board_threads');
export const BoardPost: Model<BoardPostDoc> = (models.BoardPost as Model<BoardPostDoc>) ?? model<BoardPostDoc>('BoardPost', BoardPostSchema, 'board_posts');
export const BoardSubscription: Model<BoardSubscriptionDoc> =
  (models.BoardSubscription as Model<BoardSubscriptionDoc>) ?? model<BoardSubscriptionDoc>('BoardSubscription', BoardSubscriptionSchema, 'board_subscriptions');
export const BoardReport: Model<BoardReportDoc> =
  (models.BoardReport as Model<BoardReportDoc>) ?? model<BoardReportDoc>('BoardReport', BoardReportSchema, 'board_reports');
