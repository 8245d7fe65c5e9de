/**
 * Best practices: policy initiatives (liaisons, the organizer) and business practices (members).
 * A practice is a draft until published; the organizer may hide a published one (with a reason)
 * and restore it. Interest ("interested in adopting this") is one document per reader, so the
 * unique index keeps it to one each even under double clicks.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';
import { FILE_KINDS, type StoredFileRef } from '../../web/uploads';

export const PRACTICE_KINDS = ['policy', 'business'] as const;
export type PracticeKind = (typeof PRACTICE_KINDS)[number];
const PRACTICE_STATUSES = ['draft', 'published'] as const;
export type PracticeStatus = (typeof PRACTICE_STATUSES)[number];

/** The declaration's themes; labels in locales/<lang>/practices.json under themes.<key>. */
export const THEMES = [
  'innovation',
  'ipr',
  'financing',
  'bds',
  'clusters',
  'environment',
  'employment',
  'ecommerce',
  'trade',
  'csr',
] as const;
export type Theme = (typeof THEMES)[number];

/** The language a practice is written in (not the interface language). */
export const TEXT_LANGUAGES = ['en', 'zh', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'pl', 'ru', 'ja', 'ko', 'vi', 'th', 'id', 'ms', 'other'] as const;
export type TextLanguage = (typeof TEXT_LANGUAGES)[number];

export const MAX_ATTACHMENTS = 5;

export interface AttachmentDoc extends StoredFileRef {
  _id: Types.ObjectId;
}

export interface PracticeDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  kind: PracticeKind;
  status: PracticeStatus;
  title: string;
  summary: string;
  body: string;
  /** body rendered (marked) and sanitised (sanitize-html) when saved. */
  bodyHtml: string;
  /** The Markdown renderer version bodyHtml was made with (src/web/markdown.ts); older ones are re-rendered at start-up. */
  bodyHtmlVersion: number;
  themes: Theme[];
  member: string;
  language: TextLanguage;
  organisation: string;
  results: string;
  contact: string;
  attachments: AttachmentDoc[];
  author: Types.ObjectId;
  authorRole: 'member' | 'liaison' | 'organizer';
  company: Types.ObjectId | null;
  hiddenAt: Date | null;
  hiddenReason: string;
  hiddenBy: Types.ObjectId | null;
  publishedAt: Date | null;
  searchTerms: string[];
  /** The version of what searchTerms are made of (service.ts SEARCH_VERSION); older ones are re-indexed at start-up. */
  searchVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

const AttachmentSchema = new Schema<AttachmentDoc>({
  storedName: { type: String, required: true },
  originalName: { type: String, required: true },
  size: { type: Number, required: true },
  kind: { type: String, required: true, enum: Object.keys(FILE_KINDS) },
  mime: { type: String, required: true },
});

const PracticeSchema = new Schema<PracticeDoc>(
  {
    // Created by the demo-data tool: never counted in the figures.
    demo: { type: Boolean, default: false },
    kind: { type: String, required: true, enum: PRACTICE_KINDS },
    status: { type: String, required: true, enum: PRACTICE_STATUSES, default: 'draft' },
    title: { type: String, required: true, trim: true },
    summary: { type: String, required: true, trim: true },
    body: { type: String, required: true },
    bodyHtml: { type: String, required: true },
    bodyHtmlVersion: { type: Number, default: 1 },
    themes: { type: [String], enum: THEMES, default: [] },
    member: { type: String, required: true, uppercase: true },
    language: { type: String, required: true, enum: TEXT_LANGUAGES },
    organisation: { type: String, required: true, trim: true },
    results: { type: String, default: '' },
    contact: { type: String, default: '' },
    attachments: { type: [AttachmentSchema], default: [] },
    author: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    authorRole: { type: String, required: true },
    company: { type: Schema.Types.ObjectId, ref: 'Company', default: null },
    hiddenAt: { type: Date, default: null },
    hiddenReason: { type: String, default: '' },
    hiddenBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    publishedAt: { type: Date, default: null },
    searchTerms: { type: [String], default: [], select: false },
    searchVersion: { type: Number, default: 1 },
  },
  { timestamps: true },
);
// The public list: published, not hidden, newest first; filters narrow it.
PracticeSchema.index({ status: 1, hiddenAt: 1, publishedAt: -1 });
PracticeSchema.index({ themes: 1 });
PracticeSchema.index({ member: 1 });
PracticeSchema.index({ searchTerms: 1 });

export const Practice: Model<PracticeDoc> = (models.Practice as Model<PracticeDoc>) ?? model<PracticeDoc>('Practice', PracticeSchema, 'practices');

export interface PracticeInterestDoc {
  _id: Types.ObjectId;
  practice: Types.ObjectId;
  user: Types.ObjectId;
  createdAt: Date;
}

const PracticeInterestSchema = new Schema<PracticeInterestDoc>({
  practice: { type: Schema.Types.ObjectId, ref: 'Practice', required: true },
  user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  createdAt: { type: Date, required: true },
});
PracticeInterestSchema.index({ practice: 1, user: 1 }, { unique: true });

export const PracticeInterest: Model<PracticeInterestDoc> =
  (models.PracticeInterest as Model<PracticeInterestDoc>) ?? model<PracticeInterestDoc>('PracticeInterest', PracticeInterestSchema, 'practice_interests');
