/**
 * Private conversations and organizer announcements.
 *
 * A conversation's participants are fixed when it starts. Each participant has a membership
 * document of its own (unread counter, lastReadAt, whether a notification e-mail is pending), so
 * every change to one person's reading state is a single-document atomic update, and the header
 * badge is one indexed query on { user, unread }.
 */
import { Schema, Types, model, models, type Model } from 'mongoose';

export interface ConversationDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  subject: string;
  startedBy: Types.ObjectId;
  participants: Types.ObjectId[];
  messageCount: number;
  lastMessageAt: Date;
  createdAt: Date;
}

const ConversationSchema = new Schema<ConversationDoc>({
  // Created by the demo-data tool: never counted in the figures.
  demo: { type: Boolean, default: false },
  subject: { type: String, required: true, trim: true },
  startedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  participants: { type: [Schema.Types.ObjectId], ref: 'User', required: true, index: true },
  messageCount: { type: Number, default: 0 },
  lastMessageAt: { type: Date, required: true },
  createdAt: { type: Date, required: true },
});
// The figures count conversations started per month in a date range.
ConversationSchema.index({ createdAt: 1 });

export interface MembershipDoc {
  _id: Types.ObjectId;
  conversation: Types.ObjectId;
  user: Types.ObjectId;
  /** Messages by others since this participant last opened the conversation. */
  unread: number;
  lastReadAt: Date | null;
  /** A notification e-mail went out and the participant has not read the conversation since. */
  notified: boolean;
  /** Copied from the conversation so a person's list sorts on one index. */
  lastMessageAt: Date;
}

const MembershipSchema = new Schema<MembershipDoc>({
  conversation: { type: Schema.Types.ObjectId, ref: 'Conversation', required: true },
  user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  unread: { type: Number, default: 0 },
  lastReadAt: { type: Date, default: null },
  notified: { type: Boolean, default: false },
  lastMessageAt: { type: Date, required: true },
});
MembershipSchema.index({ conversation: 1, user: 1 }, { unique: true });
MembershipSchema.index({ user: 1, lastMessageAt: -1 });
MembershipSchema.index({ user: 1, unread: 1 });

export interface MessageDoc {
  /** Created by the demo-data tool: never counted in the figures. */
  demo?: boolean;
  _id: Types.ObjectId;
  conversation: Types.ObjectId;
  author: Types.ObjectId;
  body: string;
  createdAt: Date;
}

const MessageSchema = new Schema<MessageDoc>({
  // Created by the demo-data tool: never counted in the figures.
  demo: { type: Boolean, default: false },
  conversation: { type: Schema.Types.ObjectId, ref: 'Conversation', required: true },
  author: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  body: { type: String, required: true },
  createdAt: { type: Date, required: true },
});
MessageSchema.index({ conversation: 1, createdAt: 1, _id: 1 });
// The figures count messages per month in a date range.
MessageSchema.index({ createdAt: 1 });

export const AUDIENCES = ['all', 'members'] as const;
export type Audience = (typeof AUDIENCES)[number];

export interface AnnouncementDoc {
  _id: Types.ObjectId;
  subject: string;
  body: string;
  sentBy: Types.ObjectId;
  audience: Audience;
  /** ASEM member codes when the audience is the liaisons of chosen members. */
  members: string[];
  recipientCount: number;
  acknowledgedCount: number;
  reminderCount: number;
  lastRemindedAt: Date | null;
  sentAt: Date;
}

const AnnouncementSchema = new Schema<AnnouncementDoc>({
  subject: { type: String, required: true, trim: true },
  body: { type: String, required: true },
  sentBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  audience: { type: String, enum: AUDIENCES, required: true },
  members: { type: [String], default: [] },
  recipientCount: { type: Number, default: 0 },
  acknowledgedCount: { type: Number, default: 0 },
  reminderCount: { type: Number, default: 0 },
  lastRemindedAt: { type: Date, default: null },
  sentAt: { type: Date, required: true, index: true },
});

export interface ReceiptDoc {
  _id: Types.ObjectId;
  announcement: Types.ObjectId;
  user: Types.ObjectId;
  /** The liaison's ASEM member when the announcement was sent. */
  member: string;
  /** Kept beside acknowledgedAt so a liaison's list sorts "still to acknowledge" first on one index. */
  acknowledged: boolean;
  acknowledgedAt: Date | null;
  remindedAt: Date | null;
  sentAt: Date;
}

const ReceiptSchema = new Schema<ReceiptDoc>({
  announcement: { type: Schema.Types.ObjectId, ref: 'Announcement', required: true },
  user: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  member: { type: String, default: '' },
  acknowledged: { type: Boolean, default: false },
  acknowledgedAt: { type: Date, default: null },
  remindedAt: { type: Date, default: null },
  sentAt: { type: Date, required: true },
});
ReceiptSchema.index({ announcement: 1, user: 1 }, { unique: true });
ReceiptSchema.index({ user: 1, acknowledgedAt: 1 });
ReceiptSchema.index({ user: 1, acknowledged: 1, sentAt: -1 });
// The organizer's lists of one announcement (who has, who has not acknowledged) and the reminder's cursor.
ReceiptSchema.index({ announcement: 1, acknowledged: 1, member: 1, _id: 1 });

export const Conversation: Model<ConversationDoc> =
  (models.Conversation as Model<ConversationDoc>) ?? model<ConversationDoc>('Conversation', ConversationSchema, 'conversations');
export const ConversationMembership: Model<MembershipDoc> =
  (models.ConversationMembership as Model<MembershipDoc>) ?? model<MembershipDoc>('ConversationMembership', MembershipSchema, 'conversation_memberships');
export const PrivateMessage: Model<MessageDoc> =
  (models.PrivateMessage as Model<MessageDoc>) ?? model<MessageDoc>('PrivateMessage', MessageSchema, 'private_messages');
export const Announcement: Model<AnnouncementDoc> =
  (models.Announcement as Model<AnnouncementDoc>) ?? model<AnnouncementDoc>('Announcement', AnnouncementSchema, 'announcements');
export const AnnouncementReceipt: Model<ReceiptDoc> =
  (models.AnnouncementReceipt as Model<ReceiptDoc>) ?? model<ReceiptDoc>('AnnouncementReceipt', ReceiptSchema, 'announcement_receipts');
