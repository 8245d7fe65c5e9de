/**
 * The fair's data: editions, the booths of the hall, booth requests and the two collections that
 * make allocation safe without transactions — one assignment document per (edition, booth), unique,
 * so a booth can never be given twice, and one quota counter per (edition, ASEM member), moved only
 * by conditional updates, so a member can never hold more booths than its quota.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';
import { bumpsCacheVersion } from '../../web/cache-versions';
import { FILE_KINDS, type StoredFileRef } from '../../web/uploads';
import { ensureContinuityIndexes } from './continuity-model';

export const EDITION_STATUSES = ['draft', 'open', 'closed', 'allocated', 'archived'] as const;
export type EditionStatus = (typeof EDITION_STATUSES)[number];

export const REQUEST_STATUSES = ['draft', 'submitted', 'endorsed', 'declined', 'approved', 'waitlisted', 'rejected', 'confirmed', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** A request in one of these states blocks another request of the same company for the edition. */
export const ACTIVE_STATUSES: readonly RequestStatus[] = ['draft', 'submitted', 'endorsed', 'approved', 'waitlisted', 'confirmed'];

export const BOOTH_FEATURES = ['corner', 'power', 'water'] as const;
export type BoothFeature = (typeof BOOTH_FEATURES)[number];

export interface Localized {
  en: string;
  'zh-CN': string;
}

const LocalizedSchema = new Schema<Localized>(
  {
    en: { type: String, trim: true, default: '' },
    'zh-CN': { type: String, trim: true, default: '' },
  },
  { _id: false },
);

export interface QuotaOverride {
  member: string;
  quota: number;
}

export interface FairEditionDoc {
  _id: Types.ObjectId;
  /** A stable key (e.g. cismef-2027): makes the start-up seed idempotent. */
  code: string;
  name: Localized;
  year: number;
  startsOn: Date;
  endsOn: Date;
  city: Localized;
  venue: Localized;
  hallName: Localized;
  requestOpensAt: Date;
  requestClosesAt: Date;
  status: EditionStatus;
  defaultQuota: number;
  quotaOverrides: QuotaOverride[];
  notes: Localized;
  allocationPublishedAt: Date | null;
  /** The edition whose hall and quotas this one started from (its exhibitors are invited back). */
  copiedFrom?: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const FairEditionSchema = new Schema<FairEditionDoc>(
  {
    code: { type: String, required: true, unique: true, trim: true },
    name: { type: LocalizedSchema, required: true },
    year: { type: Number, required: true, index: true },
    startsOn: { type: Date, required: true },
    endsOn: { type: Date, required: true },
    city: { type: LocalizedSchema, required: true },
    venue: { type: LocalizedSchema, required: true },
    hallName: { type: LocalizedSchema, required: true },
    requestOpensAt: { type: Date, required: true },
    requestClosesAt: { type: Date, required: true },
    status: { type: String, enum: EDITION_STATUSES, default: 'draft', index: true },
    defaultQuota: { type: Number, required: true, min: 0 },
    quotaOverrides: { type: [new Schema<QuotaOverride>({ member: { type: String, required: true }, quota: { type: Number, required: true, min: 0 } }, { _id: false })], default: [] },
    notes: { type: LocalizedSchema, default: () => ({ en: '', 'zh-CN': '' }) },
    allocationPublishedAt: { type: Date, default: null },
    copiedFrom: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true },
);

export interface BoothDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  code: string;
  /** Position and size on the hall grid, in metres. */
  x: number;
  y: number;
  width: number;
  depth: number;
  features: BoothFeature[];
}

const BoothSchema = new Schema<BoothDoc>({
  edition: { type: Schema.Types.ObjectId, ref: 'FairEdition', required: true },
  code: { type: String, required: true, trim: true, uppercase: true },
  x: { type: Number, required: true, min: 0 },
  y: { type: Number, required: true, min: 0 },
  width: { type: Number, required: true, min: 1 },
  depth: { type: Number, required: true, min: 1 },
  features: { type: [String], enum: BOOTH_FEATURES, default: [] },
});
BoothSchema.index({ edition: 1, code: 1 }, { unique: true });

export interface TimelineEntry {
  at: Date;
  action: string;
  from: RequestStatus | null;
  to: RequestStatus;
  actor: Types.ObjectId | null;
  actorName: string;
  actorRole: string;
  note: string;
  booths: string[];
}

const TimelineSchema = new Schema<TimelineEntry>(
  {
    at: { type: Date, required: true },
    action: { type: String, required: true },
    from: { type: String, default: null },
    to: { type: String, required: true },
    actor: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    actorName: { type: String, default: '' },
    actorRole: { type: String, default: '' },
    note: { type: String, default: '' },
    booths: { type: [String], default: [] },
  },
  { _id: false },
);

export interface AssignedBooth {
  booth: Types.ObjectId;
  code: string;
}

/** The product brochure, stored through the shared upload wrapper (src/web/uploads.ts). */
export type AttachmentRef = StoredFileRef;

export interface BoothRequestDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  company: Types.ObjectId;
  companyName: string;
  member: string;
  requester: Types.ObjectId;
  contactName: string;
  phone: string;
  products: string;
  boothCount: number;
  wishedCodes: string[];
  specialNeeds: string;
  attachment: AttachmentRef | null;
  status: RequestStatus;
  /** True while the status is one of ACTIVE_STATUSES: the unique partial index keys on it. */
  active: boolean;
  booths: AssignedBooth[];
  submittedAt: Date | null;
  waitlistedAt: Date | null;
  timeline: TimelineEntry[];
  createdAt: Date;
  updatedAt: Date;
}

const BoothRequestSchema = new Schema<BoothRequestDoc>(
  {
    // Created by the demo-data tool: never counted in the figures.
    demo: { type: Boolean, default: false },
    edition: { type: Schema.Types.ObjectId, ref: 'FairEdition', required: true },
    company: { type: Schema.Types.ObjectId, ref: 'Company', required: true },
    companyName: { type: String, required: true },
    member: { type: String, required: true, uppercase: true },
    requester: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    contactName: { type: String, required: true, trim: true },
    phone: { type: String, required: true, trim: true },
    products: { type: String, required: true, trim: true },
    boothCount: { type: Number, required: true, min: 1 },
    wishedCodes: { type: [String], default: [] },
    specialNeeds: { type: String, default: '' },
    attachment: {
      type: new Schema<AttachmentRef>(
        { storedName: { type: String, required: true }, originalName: { type: String, required: true }, size: { type: Number, required: true }, kind: { type: String, required: true, enum: Object.keys(FILE_KINDS) }, mime: { type: String, required: true } },
        { _id: false },
      ),
      default: null,
    },
    status: { type: String, enum: REQUEST_STATUSES, required: true },
    active: { type: Boolean, required: true },
    booths: { type: [new Schema<AssignedBooth>({ booth: { type: Schema.Types.ObjectId, required: true }, code: { type: String, required: true } }, { _id: false })], default: [] },
    submittedAt: { type: Date, default: null },
    waitlistedAt: { type: Date, default: null },
    timeline: { type: [TimelineSchema], default: [] },
  },
  { timestamps: true },
);
BoothRequestSchema.index({ edition: 1, company: 1 }, { unique: true, partialFilterExpression: { active: true }, name: 'one_active_request_per_company' });
BoothRequestSchema.index({ edition: 1, status: 1, member: 1 });
BoothRequestSchema.index({ requester: 1, createdAt: -1 });
// A company's requests by status (its desk: offers to confirm, outcome reports due; its last request
// to pre-fill from), a liaison's to endorse, the organizer's to allocate (oldest first).
BoothRequestSchema.index({ company: 1, status: 1 });
BoothRequestSchema.index({ member: 1, status: 1 });
BoothRequestSchema.index({ status: 1, updatedAt: 1 });

export interface BoothAssignmentDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  booth: Types.ObjectId;
  request: Types.ObjectId;
  member: string;
  company: Types.ObjectId;
  at: Date;
}

const BoothAssignmentSchema = new Schema<BoothAssignmentDoc>({
  edition: { type: Schema.Types.ObjectId, required: true },
  booth: { type: Schema.Types.ObjectId, required: true },
  request: { type: Schema.Types.ObjectId, required: true, index: true },
  member: { type: String, required: true },
  company: { type: Schema.Types.ObjectId, required: true },
  at: { type: Date, required: true },
});
BoothAssignmentSchema.index({ edition: 1, booth: 1 }, { unique: true, name: 'one_holder_per_booth' });

export interface QuotaCounterDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  member: string;
  quota: number;
  used: number;
}

const QuotaCounterSchema = new Schema<QuotaCounterDoc>({
  edition: { type: Schema.Types.ObjectId, required: true },
  member: { type: String, required: true },
  quota: { type: Number, required: true },
  used: { type: Number, required: true, default: 0 },
});
QuotaCounterSchema.index({ edition: 1, member: 1 }, { unique: true });

/**
 * Version stamps of the fair's cached reads (src/web/cache-versions.ts): the current edition, and
 * the drawn floor plan (booths, who holds them, whether names are published).
 */
export const EDITIONS_STAMP = 'fair-editions';
export const PLAN_STAMP = 'fair-plan';
bumpsCacheVersion(FairEditionSchema, EDITIONS_STAMP, PLAN_STAMP);
bumpsCacheVersion(BoothSchema, PLAN_STAMP);
bumpsCacheVersion(BoothRequestSchema, PLAN_STAMP);
bumpsCacheVersion(BoothAssignmentSchema, PLAN_STAMP);

export const FairEdition: Model<FairEditionDoc> = (models.FairEdition as Model<FairEditionDoc>) ?? model<FairEditionDoc>('FairEdition', FairEditionSchema, 'fair_editions');
export const Booth: Model<BoothDoc> = (models.Booth as Model<BoothDoc>) ?? model<BoothDoc>('Booth', BoothSchema, 'booths');
export const BoothRequest: Model<BoothRequestDoc> = (models.BoothRequest as Model<BoothRequestDoc>) ?? model<BoothRequestDoc>('BoothRequest', BoothRequestSchema, 'booth_requests');
export const BoothAssignment: Model<BoothAssignmentDoc> =
  (models.BoothAssignment as Model<BoothAssignmentDoc>) ?? model<BoothAssignmentDoc>('BoothAssignment', BoothAssignmentSchema, 'booth_assignments');
export const QuotaCounter: Model<QuotaCounterDoc> = (models.QuotaCounter as Model<QuotaCounterDoc>) ?? model<QuotaCounterDoc>('QuotaCounter', QuotaCounterSchema, 'fair_quota_counters');

/** Creates the indexes the rules depend on before the first request arrives. */
export async function ensureFairIndexes(): Promise<void> {
  await Promise.all([ensureContinuityIndexes(), FairEdition.createIndexes(), Booth.createIndexes(), BoothRequest.createIndexes(), BoothAssignment.createIndexes(), QuotaCounter.createIndexes()]);
}
