/**
 * Partners' data: business opportunities (offers and requests), contact requests between two
 * companies, blocks, reports, and each person's digest settings.
 *
 * Safety without transactions:
 * - one open contact request per pair of companies: a unique partial index on the unordered pair
 *   key where `open` is true, so two requests at the same moment store one;
 * - accept, decline and expiry each move a request out of `open` with one conditional update, so a
 *   race between them has exactly one outcome;
 * - scheduled jobs (expiry e-mail, digest) claim their record with a conditional update first.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';
import { FILE_KINDS, type StoredFileRef } from '../../web/uploads';

export const OPPORTUNITY_KINDS = ['offer', 'request'] as const;
export type OpportunityKind = (typeof OPPORTUNITY_KINDS)[number];
export const CLOSE_REASONS = ['partnerFound', 'noLongerNeeded'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
/** The language an opportunity is written in. */
export const TEXT_LANGUAGES = ['en', 'zh', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'pl', 'ru', 'ja', 'ko', 'vi', 'th', 'id', 'ms', 'other'] as const;
export const MAX_ATTACHMENTS = 3;
export const MAX_EXPIRY_DAYS = 366;

export interface AttachmentDoc extends StoredFileRef {
  _id: Types.ObjectId;
}

export interface OpportunityDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  kind: OpportunityKind;
  title: string;
  description: string;
  descriptionHtml: string;
  descriptionHtmlVersion: number;
  cooperationType: string;
  isic: string[];
  targetMarkets: string[];
  language: string;
  attachments: AttachmentDoc[];
  /** The posting company (members), or null when a liaison posts on behalf of an organisation. */
  company: Types.ObjectId | null;
  /** A liaison posting on behalf of a cluster or agency of its member: the organisation's name. */
  onBehalfOf: string;
  /** The ASEM member of the company (or of the liaison). */
  member: string;
  region: string;
  author: Types.ObjectId;
  authorRole: 'member' | 'liaison';
  expiresAt: Date;
  closedAt: Date | null;
  closeReason: CloseReason | null;
  hiddenAt: Date | null;
  hiddenReason: string;
  /** The 7-day expiry e-mail: when it was sent (or claimed) for the current expiry date. */
  expiryNoticeFor: Date | null;
  reports: number;
  searchTerms: string[];
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

const OpportunitySchema = new Schema<OpportunityDoc>(
  {
    // Created by the demo-data tool: never counted in the figures.
    demo: { type: Boolean, default: false },
    kind: { type: String, required: true, enum: OPPORTUNITY_KINDS },
    title: { type: String, required: true, trim: true },
    description: { type: String, required: true },
    descriptionHtml: { type: String, required: true },
    descriptionHtmlVersion: { type: Number, default: 1 },
    cooperationType: { type: String, required: true },
    isic: { type: [String], default: [] },
    targetMarkets: { type: [String], default: [] },
    language: { type: String, required: true, enum: TEXT_LANGUAGES },
    attachments: { type: [AttachmentSchema], default: [] },
    company: { type: Schema.Types.ObjectId, default: null },
    onBehalfOf: { type: String, default: '' },
    member: { type: String, required: true, uppercase: true },
    region: { type: String, default: '' },
    author: { type: Schema.Types.ObjectId, required: true, index: true },
    authorRole: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    closedAt: { type: Date, default: null },
    closeReason: { type: String, default: null },
    hiddenAt: { type: Date, default: null },
    hiddenReason: { type: String, default: '' },
    expiryNoticeFor: { type: Date, default: null },
    reports: { type: Number, default: 0 },
    searchTerms: { type: [String], default: [], select: false },
  },
  { timestamps: true },
);
// The public list: open (not closed, not hidden, not expired), newest first.
OpportunitySchema.index({ closedAt: 1, hiddenAt: 1, expiresAt: 1, createdAt: -1 });
OpportunitySchema.index({ searchTerms: 1 });
OpportunitySchema.index({ isic: 1 });
OpportunitySchema.index({ company: 1, createdAt: -1 });
OpportunitySchema.index({ member: 1 });
// The figures count opportunities per month in a date range.
OpportunitySchema.index({ createdAt: 1 });

export const Opportunity: Model<OpportunityDoc> = (models.Opportunity as Model<OpportunityDoc>) ?? model<OpportunityDoc>('Opportunity', OpportunitySchema, 'opportunities');

export const CONTACT_STATUSES = ['open', 'accepted', 'declined', 'expired'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export interface ContactRequestDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  fromCompany: Types.ObjectId;
  fromUser: Types.ObjectId;
  fromMember: string;
  toCompany: Types.ObjectId;
  toUser: Types.ObjectId;
  toMember: string;
  /** The two company ids, sorted and joined: one open request per pair whichever side asks. */
  pair: string;
  opportunity: Types.ObjectId | null;
  message: string;
  status: ContactStatus;
  /** True while status is open: the unique partial index keys on it. */
  open: boolean;
  declineReason: string;
  conversation: Types.ObjectId | null;
  decidedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

const ContactRequestSchema = new Schema<ContactRequestDoc>({
  // Created by the demo-data tool: never counted in the figures.
  demo: { type: Boolean, default: false },
  fromCompany: { type: Schema.Types.ObjectId, required: true },
  fromUser: { type: Schema.Types.ObjectId, required: true },
  fromMember: { type: String, required: true },
  toCompany: { type: Schema.Types.ObjectId, required: true },
  toUser: { type: Schema.Types.ObjectId, required: true },
  toMember: { type: String, required: true },
  pair: { type: String, required: true },
  opportunity: { type: Schema.Types.ObjectId, default: null },
  message: { type: String, required: true },
  status: { type: String, required: true, enum: CONTACT_STATUSES, default: 'open' },
  open: { type: Boolean, default: true },
  declineReason: { type: String, default: '' },
  conversation: { type: Schema.Types.ObjectId, default: null },
  decidedAt: { type: Date, default: null },
  expiresAt: { type: Date, required: true },
  createdAt: { type: Date, required: true },
});
ContactRequestSchema.index({ pair: 1 }, { unique: true, partialFilterExpression: { open: true }, name: 'one_open_request_per_pair' });
ContactRequestSchema.index({ fromCompany: 1, createdAt: -1 });
ContactRequestSchema.index({ toCompany: 1, status: 1, createdAt: -1 });
ContactRequestSchema.index({ pair: 1, status: 1 });
// The figures: requests sent per month, and answered (accepted, declined) per month of the answer.
ContactRequestSchema.index({ createdAt: 1 });
ContactRequestSchema.index({ status: 1, decidedAt: 1 });
ContactRequestSchema.index({ status: 1, expiresAt: 1 });
ContactRequestSchema.index({ fromMember: 1, status: 1 });
ContactRequestSchema.index({ toMember: 1, status: 1 });

export const ContactRequest: Model<ContactRequestDoc> =
  (models.ContactRequest as Model<ContactRequestDoc>) ?? model<ContactRequestDoc>('ContactRequest', ContactRequestSchema, 'contact_requests');

export interface ContactBlockDoc {
  _id: Types.ObjectId;
  company: Types.ObjectId;
  blocked: Types.ObjectId;
  createdAt: Date;
}

const ContactBlockSchema = new Schema<ContactBlockDoc>({
  company: { type: Schema.Types.ObjectId, required: true },
  blocked: { type: Schema.Types.ObjectId, required: true },
  createdAt: { type: Date, required: true },
});
ContactBlockSchema.index({ company: 1, blocked: 1 }, { unique: true });

export const ContactBlock: Model<ContactBlockDoc> = (models.ContactBlock as Model<ContactBlockDoc>) ?? model<ContactBlockDoc>('ContactBlock', ContactBlockSchema, 'contact_blocks');

export const REPORT_TARGETS = ['opportunity', 'contactRequest'] as const;
export type ReportTarget = (typeof REPORT_TARGETS)[number];

export interface PartnerReportDoc {
  _id: Types.ObjectId;
  targetType: ReportTarget;
  target: Types.ObjectId;
  reporter: Types.ObjectId;
  reason: string;
  resolvedAt: Date | null;
  createdAt: Date;
}

const PartnerReportSchema = new Schema<PartnerReportDoc>({
  targetType: { type: String, required: true, enum: REPORT_TARGETS },
  target: { type: Schema.Types.ObjectId, required: true },
  reporter: { type: Schema.Types.ObjectId, required: true },
  reason: { type: String, required: true },
  resolvedAt: { type: Date, default: null },
  createdAt: { type: Date, required: true },
});
// One report per reporter and target; the queue lists the unresolved ones.
PartnerReportSchema.index({ targetType: 1, target: 1, reporter: 1 }, { unique: true });
PartnerReportSchema.index({ resolvedAt: 1, createdAt: -1 });

export const PartnerReport: Model<PartnerReportDoc> = (models.PartnerReport as Model<PartnerReportDoc>) ?? model<PartnerReportDoc>('PartnerReport', PartnerReportSchema, 'partner_reports');

export interface DigestSettingDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  enabled: boolean;
  /** Opportunities newer than this go into the next digest. */
  lastSentAt: Date;
  /** When the next digest is due; the job claims it by moving this forward. */
  nextDueAt: Date;
}

const DigestSettingSchema = new Schema<DigestSettingDoc>({
  user: { type: Schema.Types.ObjectId, required: true, unique: true },
  enabled: { type: Boolean, default: false },
  lastSentAt: { type: Date, required: true },
  nextDueAt: { type: Date, required: true },
});
DigestSettingSchema.index({ enabled: 1, nextDueAt: 1 });

export const DigestSetting: Model<DigestSettingDoc> = (models.DigestSetting as Model<DigestSettingDoc>) ?? model<DigestSettingDoc>('DigestSetting', DigestSettingSchema, 'partner_digest_settings');
