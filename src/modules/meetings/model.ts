/**
 * Business meetings at the ASEM hall: the organizer's meeting sessions per fair edition, the
 * participants, meeting requests and the booked meetings.
 *
 * Booking is safe without transactions: a booked meeting carries `holders` — one key per person
 * (`u:<userId>`) and one for its place (`t:<table>` or `b:<boothCode>`) — and the unique partial index
 * on (edition, startsAt, holders) over booked meetings makes the database refuse a second booked
 * meeting at the same start for the same person or the same table/booth (a unique index on an
 * array field is checked per element across documents). Cancelling sets the status to `cancelled`,
 * which takes the meeting out of the index and frees everyone at once.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';

/** A daily window in the edition's local time, "HH:MM" 24-hour. */
export interface MeetingWindow {
  start: string;
  end: string;
}

export interface MeetingDay {
  /** The local date, "YYYY-MM-DD", within the fair's dates. */
  date: string;
  windows: MeetingWindow[];
}

/** Where the meeting area is drawn on the hall's floor plan, in metres like the booths. */
export interface MeetingArea {
  x: number;
  y: number;
  width: number;
  depth: number;
}

export interface MeetingSettingsDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  /** IANA zone of the venue (Asia/Shanghai for Guangzhou); every local time above is in it. */
  timeZone: string;
  days: MeetingDay[];
  slotMinutes: number;
  /** A pause after each slot, in minutes (0 for back-to-back slots). */
  breakMinutes: number;
  /** Tables are numbered 1..tableCount. */
  tableCount: number;
  area: MeetingArea | null;
  registrationOpensAt: Date;
  registrationClosesAt: Date;
  /** At most this many booked meetings per participant per day. */
  dailyCap: number;
  /** Raised on every change: caches and calendar files key on it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const WindowSchema = new Schema<MeetingWindow>({ start: { type: String, required: true }, end: { type: String, required: true } }, { _id: false });
const DaySchema = new Schema<MeetingDay>({ date: { type: String, required: true }, windows: { type: [WindowSchema], default: [] } }, { _id: false });
const AreaSchema = new Schema<MeetingArea>(
  { x: { type: Number, required: true, min: 0 }, y: { type: Number, required: true, min: 0 }, width: { type: Number, required: true, min: 1 }, depth: { type: Number, required: true, min: 1 } },
  { _id: false },
);

const MeetingSettingsSchema = new Schema<MeetingSettingsDoc>(
  {
    edition: { type: Schema.Types.ObjectId, ref: 'FairEdition', required: true, unique: true },
    timeZone: { type: String, required: true, default: 'Asia/Shanghai' },
    days: { type: [DaySchema], default: [] },
    slotMinutes: { type: Number, required: true, min: 10, max: 120 },
    breakMinutes: { type: Number, required: true, min: 0, max: 60, default: 0 },
    tableCount: { type: Number, required: true, min: 0, max: 500 },
    area: { type: AreaSchema, default: null },
    registrationOpensAt: { type: Date, required: true },
    registrationClosesAt: { type: Date, required: true },
    dailyCap: { type: Number, required: true, min: 1, max: 50 },
    version: { type: Number, required: true, default: 1 },
  },
  { timestamps: true },
);

export const PARTICIPANT_KINDS = ['exhibitor', 'visitor', 'liaison'] as const;
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];

export interface MeetingParticipantDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  user: Types.ObjectId;
  /** The SME's company; null for a liaison. */
  company: Types.ObjectId | null;
  /** ASEM member code of the participant's company (or the liaison's member). */
  member: string;
  kind: ParticipantKind;
  /** Display names kept on the record (the agenda and grid show them without another read). */
  name: string;
  companyName: string;
  /** Local dates ("YYYY-MM-DD") the participant attends; exhibitors attend every meeting day. */
  days: string[];
  /** What the participant wants to discuss (plain text). */
  topics: string;
  /** Slot starts (UTC) the participant marked unavailable. */
  unavailable: Date[];
  /** Exhibitors: their booth code(s), and whether meetings take place at the booth instead of a table. */
  booths: string[];
  meetAtBooth: boolean;
  /** False once the participant withdraws (or, for an exhibitor, once its booth request no longer holds). */
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const MeetingParticipantSchema = new Schema<MeetingParticipantDoc>(
  {
    edition: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    company: { type: Schema.Types.ObjectId, default: null },
    member: { type: String, required: true, uppercase: true },
    kind: { type: String, enum: PARTICIPANT_KINDS, required: true },
    name: { type: String, required: true },
    companyName: { type: String, default: '' },
    days: { type: [String], default: [] },
    topics: { type: String, default: '' },
    unavailable: { type: [Date], default: [] },
    booths: { type: [String], default: [] },
    meetAtBooth: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
MeetingParticipantSchema.index({ edition: 1, user: 1 }, { unique: true });
MeetingParticipantSchema.index({ edition: 1, member: 1, active: 1 });
MeetingParticipantSchema.index({ edition: 1, company: 1 });

export const REQUEST_STATES = ['pending', 'accepted', 'declined', 'cancelled', 'expired'] as const;
export type MeetingRequestState = (typeof REQUEST_STATES)[number];

export interface RequestHistoryEntry {
  at: Date;
  /** 'requested' | 'proposed' | 'accepted' | 'declined' | 'cancelled' | 'expired' */
  action: string;
  by: Types.ObjectId | null;
  slots: Date[];
  note: string;
}

export interface MeetingRequestDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  /** Participants (MeetingParticipant ids) and their users. */
  from: Types.ObjectId;
  to: Types.ObjectId;
  fromUser: Types.ObjectId;
  toUser: Types.ObjectId;
  /** The slot starts (UTC) on offer; the side named by `awaiting` picks one of them. */
  slots: Date[];
  /** Which user must answer now: the recipient, or the requester after a counter-proposal. */
  awaiting: Types.ObjectId;
  message: string;
  state: MeetingRequestState;
  declineReason: string;
  meeting: Types.ObjectId | null;
  /** The last slot on offer: once it has started, the request expires. */
  expiresAt: Date;
  history: RequestHistoryEntry[];
  createdAt: Date;
  updatedAt: Date;
}

const HistorySchema = new Schema<RequestHistoryEntry>(
  { at: { type: Date, required: true }, action: { type: String, required: true }, by: { type: Schema.Types.ObjectId, default: null }, slots: { type: [Date], default: [] }, note: { type: String, default: '' } },
  { _id: false },
);

const MeetingRequestSchema = new Schema<MeetingRequestDoc>(
  {
    edition: { type: Schema.Types.ObjectId, required: true },
    from: { type: Schema.Types.ObjectId, required: true },
    to: { type: Schema.Types.ObjectId, required: true },
    fromUser: { type: Schema.Types.ObjectId, required: true },
    toUser: { type: Schema.Types.ObjectId, required: true },
    slots: { type: [Date], default: [] },
    awaiting: { type: Schema.Types.ObjectId, required: true },
    message: { type: String, default: '' },
    state: { type: String, enum: REQUEST_STATES, required: true, default: 'pending' },
    declineReason: { type: String, default: '' },
    meeting: { type: Schema.Types.ObjectId, default: null },
    expiresAt: { type: Date, required: true },
    history: { type: [HistorySchema], default: [] },
  },
  { timestamps: true },
);
MeetingRequestSchema.index({ edition: 1, awaiting: 1, state: 1 });
MeetingRequestSchema.index({ edition: 1, fromUser: 1, state: 1 });
MeetingRequestSchema.index({ edition: 1, toUser: 1, state: 1 });
MeetingRequestSchema.index({ state: 1, expiresAt: 1 });
// The figures count requests made in a date range.
MeetingRequestSchema.index({ createdAt: 1 });

export const MEETING_STATUSES = ['booked', 'cancelled'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const FOLLOW_UPS = ['nothing', 'talks', 'agreement'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];

/** One participant's record after the fair. */
export interface MeetingOutcome {
  user: Types.ObjectId;
  tookPlace: boolean;
  followUp: FollowUp;
  note: string;
  at: Date;
  /** The best-practice draft this side made from the outcome (at most one), if any. */
  practice?: Types.ObjectId | null;
}

export interface MeetingSide {
  participant: Types.ObjectId;
  user: Types.ObjectId;
  company: Types.ObjectId | null;
  member: string;
  name: string;
  companyName: string;
}

export interface MeetingDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  request: Types.ObjectId;
  /** sides[0] asked, sides[1] accepted. */
  sides: MeetingSide[];
  startsAt: Date;
  endsAt: Date;
  /** The local date ("YYYY-MM-DD") in the edition's zone: agenda, grid and daily cap group by it. */
  day: string;
  /** A numbered table, or null when the meeting takes place at an exhibitor's booth. */
  table: number | null;
  booth: string | null;
  /** `u:<userId>` for both sides, and `t:<table>` or `b:<booth>`: see the unique index below. */
  holders: string[];
  status: MeetingStatus;
  /** The iCalendar UID (stable for the meeting's life) and SEQUENCE (raised on every change). */
  uid: string;
  sequence: number;
  cancelledBy: Types.ObjectId | null;
  cancelledAt: Date | null;
  /** The organizer's mark at the hall: users who did not come. */
  noShow: Types.ObjectId[];
  outcomes: MeetingOutcome[];
  /** Reminder e-mail claimed (the day before): set by a conditional update so it goes once. */
  remindedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const SideSchema = new Schema<MeetingSide>(
  {
    participant: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    company: { type: Schema.Types.ObjectId, default: null },
    member: { type: String, required: true },
    name: { type: String, required: true },
    companyName: { type: String, default: '' },
  },
  { _id: false },
);

const OutcomeSchema = new Schema<MeetingOutcome>(
  {
    user: { type: Schema.Types.ObjectId, required: true },
    tookPlace: { type: Boolean, required: true },
    followUp: { type: String, enum: FOLLOW_UPS, required: true },
    note: { type: String, default: '' },
    at: { type: Date, required: true },
    practice: { type: Schema.Types.ObjectId, default: null },
  },
  { _id: false },
);

const MeetingSchema = new Schema<MeetingDoc>(
  {
    edition: { type: Schema.Types.ObjectId, required: true },
    request: { type: Schema.Types.ObjectId, required: true },
    sides: { type: [SideSchema], required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    day: { type: String, required: true },
    table: { type: Number, default: null },
    booth: { type: String, default: null },
    holders: { type: [String], required: true },
    status: { type: String, enum: MEETING_STATUSES, required: true, default: 'booked' },
    uid: { type: String, required: true },
    sequence: { type: Number, required: true, default: 0 },
    cancelledBy: { type: Schema.Types.ObjectId, default: null },
    cancelledAt: { type: Date, default: null },
    noShow: { type: [Schema.Types.ObjectId], default: [] },
    outcomes: { type: [OutcomeSchema], default: [] },
    remindedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
MeetingSchema.index({ edition: 1, startsAt: 1, holders: 1 }, { unique: true, partialFilterExpression: { status: 'booked' }, name: 'one_meeting_per_holder_and_slot' });
MeetingSchema.index({ 'sides.user': 1, startsAt: 1 });
MeetingSchema.index({ edition: 1, day: 1, status: 1 });
MeetingSchema.index({ status: 1, remindedAt: 1, startsAt: 1 });
MeetingSchema.index({ uid: 1 }, { unique: true });
// The figures count meetings in a date range.
MeetingSchema.index({ startsAt: 1 });

/** A participant's private calendar-feed token (hashed), regenerable. */
export interface AgendaFeedDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  tokenHash: string;
  createdAt: Date;
}

const AgendaFeedSchema = new Schema<AgendaFeedDoc>({
  user: { type: Schema.Types.ObjectId, required: true, unique: true },
  tokenHash: { type: String, required: true, unique: true },
  createdAt: { type: Date, required: true },
});

/**
 * How many booked meetings one person has on one day of an edition: moved only by conditional
 * updates (`$inc` while below the cap), so concurrent acceptances can never pass the daily cap.
 */
export interface MeetingDayCountDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  user: Types.ObjectId;
  day: string;
  count: number;
}

const MeetingDayCountSchema = new Schema<MeetingDayCountDoc>({
  edition: { type: Schema.Types.ObjectId, required: true },
  user: { type: Schema.Types.ObjectId, required: true },
  day: { type: String, required: true },
  count: { type: Number, required: true, default: 0, min: 0 },
});
MeetingDayCountSchema.index({ edition: 1, user: 1, day: 1 }, { unique: true, name: 'one_count_per_person_and_day' });

export const MeetingSettings: Model<MeetingSettingsDoc> =
  (models.MeetingSettings as Model<MeetingSettingsDoc>) ?? model<MeetingSettingsDoc>('MeetingSettings', MeetingSettingsSchema, 'meeting_settings');
export const MeetingParticipant: Model<MeetingParticipantDoc> =
  (models.MeetingParticipant as Model<MeetingParticipantDoc>) ?? model<MeetingParticipantDoc>('MeetingParticipant', MeetingParticipantSchema, 'meeting_participants');
export const MeetingRequest: Model<MeetingRequestDoc> =
  (models.MeetingRequest as Model<MeetingRequestDoc>) ?? model<MeetingRequestDoc>('MeetingRequest', MeetingRequestSchema, 'meeting_requests');
export const Meeting: Model<MeetingDoc> = (models.Meeting as Model<MeetingDoc>) ?? model<MeetingDoc>('Meeting', MeetingSchema, 'meetings');
export const AgendaFeed: Model<AgendaFeedDoc> = (models.AgendaFeed as Model<AgendaFeedDoc>) ?? model<AgendaFeedDoc>('AgendaFeed', AgendaFeedSchema, 'meeting_agenda_feeds');

export const MeetingDayCount: Model<MeetingDayCountDoc> =
  (models.MeetingDayCount as Model<MeetingDayCountDoc>) ?? model<MeetingDayCountDoc>('MeetingDayCount', MeetingDayCountSchema, 'meeting_day_counts');

export async function ensureMeetingIndexes(): Promise<void> {
  await Promise.all([MeetingSettings.createIndexes(), MeetingParticipant.createIndexes(), MeetingRequest.createIndexes(), Meeting.createIndexes(), AgendaFeed.createIndexes(), MeetingDayCount.createIndexes()]);
}
