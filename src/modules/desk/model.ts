/**
 * The desk's daily digest: who opted in, the last day the digest job looked at them (claimed by an
 * atomic update, so two instances never send one person two digests that day) and the newest item
 * already reported (only days with something new send a mail).
 */
import { Schema, Types, model, models, type Model } from 'mongoose';

export interface DeskDigestDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  enabled: boolean;
  /** YYYY-MM-DD (UTC) of the last run that claimed this person. */
  lastRunDay: string;
  /** Items waiting since after this are "new" for the next digest. */
  reportedUpTo: Date | null;
  lastSentAt: Date | null;
  createdAt: Date;
}

const DeskDigestSchema = new Schema<DeskDigestDoc>({
  user: { type: Schema.Types.ObjectId, required: true, unique: true },
  enabled: { type: Boolean, default: false, index: true },
  lastRunDay: { type: String, default: '' },
  reportedUpTo: { type: Date, default: null },
  lastSentAt: { type: Date, default: null },
  createdAt: { type: Date, required: true },
});

export const DeskDigest: Model<DeskDigestDoc> = (models.DeskDigest as Model<DeskDigestDoc>) ?? model<DeskDigestDoc>('DeskDigest', DeskDigestSchema, 'desk_digests');
