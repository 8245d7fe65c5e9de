/**
 * Continuity between editions: the invitation sent to last edition's exhibitors (one per company
 * per edition, kept so by a unique index that claims it before the e-mail goes), and the outcome
 * report an exhibitor files after the fair (one per company per edition, unique too).
 */
import { Schema, Types, model, models, type Model } from 'mongoose';

export interface ReturnInvitationDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  company: Types.ObjectId;
  /** The edition the company exhibited at. */
  fromEdition: Types.ObjectId;
  /** Null when the company had no reachable person: claimed, but nobody to write to. */
  recipient: Types.ObjectId | null;
  invitedBy: Types.ObjectId;
  at: Date;
}

const ReturnInvitationSchema = new Schema<ReturnInvitationDoc>({
  edition: { type: Schema.Types.ObjectId, required: true },
  company: { type: Schema.Types.ObjectId, required: true },
  fromEdition: { type: Schema.Types.ObjectId, required: true },
  recipient: { type: Schema.Types.ObjectId, default: null },
  invitedBy: { type: Schema.Types.ObjectId, required: true },
  at: { type: Date, required: true },
});
ReturnInvitationSchema.index({ edition: 1, company: 1 }, { unique: true, name: 'one_invitation_per_company' });

export interface OutcomeReportDoc {
  _id: Types.ObjectId;
  edition: Types.ObjectId;
  company: Types.ObjectId;
  companyName: string;
  member: string;
  /** The booth request that made the company an exhibitor of the edition. */
  request: Types.ObjectId;
  author: Types.ObjectId;
  contactsMade: number;
  deals: number;
  /** In euros, when the exhibitor wants to say. */
  dealValue: number | null;
  wentWell: string;
  toImprove: string;
  /** "The organizer may publish this as a best practice." */
  consent: boolean;
  /** The practice draft made from the report (once). */
  practice: Types.ObjectId | null;
  practiceAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const OutcomeReportSchema = new Schema<OutcomeReportDoc>(
  {
    edition: { type: Schema.Types.ObjectId, required: true },
    company: { type: Schema.Types.ObjectId, required: true },
    companyName: { type: String, required: true },
    member: { type: String, required: true, uppercase: true },
    request: { type: Schema.Types.ObjectId, required: true },
    author: { type: Schema.Types.ObjectId, required: true },
    contactsMade: { type: Number, required: true, min: 0 },
    deals: { type: Number, required: true, min: 0 },
    dealValue: { type: Number, default: null, min: 0 },
    wentWell: { type: String, default: '' },
    toImprove: { type: String, default: '' },
    consent: { type: Boolean, default: false },
    practice: { type: Schema.Types.ObjectId, default: null },
    practiceAt: { type: Date, default: null },
  },
  { timestamps: true },
);
OutcomeReportSchema.index({ edition: 1, company: 1 }, { unique: true, name: 'one_report_per_company' });
OutcomeReportSchema.index({ company: 1 });

export const ReturnInvitation: Model<ReturnInvitationDoc> =
  (models.ReturnInvitation as Model<ReturnInvitationDoc>) ?? model<ReturnInvitationDoc>('ReturnInvitation', ReturnInvitationSchema, 'fair_return_invitations');
export const OutcomeReport: Model<OutcomeReportDoc> = (models.OutcomeReport as Model<OutcomeReportDoc>) ?? model<OutcomeReportDoc>('OutcomeReport', OutcomeReportSchema, 'fair_outcome_reports');

export async function ensureContinuityIndexes(): Promise<void> {
  await Promise.all([ReturnInvitation.createIndexes(), OutcomeReport.createIndexes()]);
}
