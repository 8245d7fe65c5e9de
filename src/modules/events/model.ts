/**
 * The officials' calendar: Ministerial Meetings, Senior Officials' Meetings and other events (the
 * fair editions are read from the fair module, never copied here); each meeting's delegations (one
 * per ASEM member) and its working documents, in versions, with the officials' comments.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';
import { FILE_KINDS, type StoredFileRef } from '../../web/uploads';

export const EVENT_KINDS = ['ministerial', 'som', 'other'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const VISIBILITIES = ['public', 'officials'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface Bilingual {
  en: string;
  'zh-CN': string;
}
const BilingualSchema = new Schema<Bilingual>({ en: { type: String, default: '' }, 'zh-CN': { type: String, default: '' } }, { _id: false });

export interface OfficialEventDoc {
  _id: Types.ObjectId;
  kind: EventKind;
  title: Bilingual;
  description: Bilingual;
  startsAt: Date;
  endsAt: Date;
  /** IANA time zone of the venue: the days are its calendar days, the times its wall-clock times. */
  timeZone: string;
  /** Optional times (HH:MM in the event's zone) on the first and the last day; null: whole days. */
  startTime: string | null;
  endTime: string | null;
  /** Raised on every edit: the iCalendar SEQUENCE, so calendars replace the event of the same UID. */
  sequence: number;
  hostMember: string;
  city: string;
  venue: string;
  visibility: Visibility;
  /** Delegations may be registered until then (null: no registration for this event). */
  delegationDeadline: Date | null;
  delegationsLockedAt: Date | null;
  /** Reminders to members without a delegation: set when claimed (an atomic update), so sent once. */
  reminder14At: Date | null;
  reminder3At: Date | null;
  createdBy: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const OfficialEventSchema = new Schema<OfficialEventDoc>(
  {
    kind: { type: String, required: true, enum: EVENT_KINDS },
    title: { type: BilingualSchema, required: true },
    description: { type: BilingualSchema, required: true },
    startsAt: { type: Date, required: true, index: true },
    endsAt: { type: Date, required: true },
    timeZone: { type: String, required: true },
    startTime: { type: String, default: null },
    endTime: { type: String, default: null },
    sequence: { type: Number, default: 0 },
    hostMember: { type: String, required: true, uppercase: true },
    city: { type: String, required: true, trim: true },
    venue: { type: String, default: '', trim: true },
    visibility: { type: String, required: true, enum: VISIBILITIES },
    delegationDeadline: { type: Date, default: null },
    delegationsLockedAt: { type: Date, default: null },
    reminder14At: { type: Date, default: null },
    reminder3At: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    // Set from the service's clock (the desk ages items by it), not by mongoose timestamps.
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
);

export const OfficialEvent: Model<OfficialEventDoc> =
  (models.OfficialEvent as Model<OfficialEventDoc>) ?? model<OfficialEventDoc>('OfficialEvent', OfficialEventSchema, 'official_events');

export interface DelegateDoc {
  name: string;
  title: string;
  agency: string;
}

export interface DelegationDoc {
  _id: Types.ObjectId;
  event: Types.ObjectId;
  member: string;
  delegates: DelegateDoc[];
  arrival: Date;
  departure: Date;
  needs: string;
  registeredBy: Types.ObjectId;
  registeredByName: string;
  createdAt: Date;
  updatedAt: Date;
}

const DelegationSchema = new Schema<DelegationDoc>(
  {
    event: { type: Schema.Types.ObjectId, required: true },
    member: { type: String, required: true, uppercase: true },
    delegates: {
      type: [new Schema<DelegateDoc>({ name: { type: String, required: true }, title: { type: String, default: '' }, agency: { type: String, default: '' } }, { _id: false })],
      default: [],
    },
    arrival: { type: Date, required: true },
    departure: { type: Date, required: true },
    needs: { type: String, default: '' },
    registeredBy: { type: Schema.Types.ObjectId, required: true },
    registeredByName: { type: String, default: '' },
  },
  { timestamps: true },
);
// One delegation per member and event: a second registration replaces the first.
DelegationSchema.index({ event: 1, member: 1 }, { unique: true });

export const Delegation: Model<DelegationDoc> = (models.Delegation as Model<DelegationDoc>) ?? model<DelegationDoc>('Delegation', DelegationSchema, 'delegations');

export const DOCUMENT_KINDS = ['agenda', 'concept', 'declaration', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface DocumentVersionDoc {
  number: number;
  file: StoredFileRef;
  changeNote: string;
  uploadedAt: Date;
}

export interface WorkingDocumentDoc {
  _id: Types.ObjectId;
  event: Types.ObjectId;
  kind: DocumentKind;
  title: string;
  versions: DocumentVersionDoc[];
  commentDeadline: Date | null;
  /** The version published to everyone (then also a policy document in the practice library). */
  publishedVersion: number | null;
  publishedAt: Date | null;
  practiceId: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const FileRefSchema = new Schema<StoredFileRef>(
  {
    storedName: { type: String, required: true },
    originalName: { type: String, required: true },
    size: { type: Number, required: true },
    kind: { type: String, required: true, enum: Object.keys(FILE_KINDS) },
    mime: { type: String, required: true },
  },
  { _id: false },
);

const WorkingDocumentSchema = new Schema<WorkingDocumentDoc>(
  {
    event: { type: Schema.Types.ObjectId, required: true, index: true },
    kind: { type: String, required: true, enum: DOCUMENT_KINDS },
    title: { type: String, required: true, trim: true },
    versions: {
      type: [
        new Schema<DocumentVersionDoc>(
          { number: { type: Number, required: true }, file: { type: FileRefSchema, required: true }, changeNote: { type: String, default: '' }, uploadedAt: { type: Date, required: true } },
          { _id: false },
        ),
      ],
      default: [],
    },
    commentDeadline: { type: Date, default: null },
    publishedVersion: { type: Number, default: null },
    publishedAt: { type: Date, default: null },
    practiceId: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true },
);

export const WorkingDocument: Model<WorkingDocumentDoc> =
  (models.WorkingDocument as Model<WorkingDocumentDoc>) ?? model<WorkingDocumentDoc>('WorkingDocument', WorkingDocumentSchema, 'working_documents');

export interface DocumentCommentDoc {
  _id: Types.ObjectId;
  document: Types.ObjectId;
  version: number;
  author: Types.ObjectId;
  authorName: string;
  member: string | null;
  body: string;
  createdAt: Date;
}

const DocumentCommentSchema = new Schema<DocumentCommentDoc>({
  document: { type: Schema.Types.ObjectId, required: true },
  version: { type: Number, required: true },
  author: { type: Schema.Types.ObjectId, required: true },
  authorName: { type: String, default: '' },
  member: { type: String, default: null },
  body: { type: String, required: true },
  createdAt: { type: Date, required: true },
});
DocumentCommentSchema.index({ document: 1, version: 1, createdAt: 1 });

export const DocumentComment: Model<DocumentCommentDoc> =
  (models.DocumentComment as Model<DocumentCommentDoc>) ?? model<DocumentCommentDoc>('DocumentComment', DocumentCommentSchema, 'document_comments');

/** An official's private calendar feed: a secret token in the URL, regenerable (the old one stops working). */
export interface CalendarTokenDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  token: string;
  createdAt: Date;
}
const CalendarTokenSchema = new Schema<CalendarTokenDoc>({
  user: { type: Schema.Types.ObjectId, required: true, unique: true },
  token: { type: String, required: true, unique: true },
  createdAt: { type: Date, required: true },
});
export const CalendarToken: Model<CalendarTokenDoc> =
  (models.CalendarToken as Model<CalendarTokenDoc>) ?? model<CalendarTokenDoc>('CalendarToken', CalendarTokenSchema, 'calendar_tokens');
