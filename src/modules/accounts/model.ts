/**
 * People and their companies. A user is a member (an SME representative with one company), a
 * liaison (a government official tied to one ASEM member) or an organizer. `authVersion` ends every
 * session of a user at once (password reset, suspension): sessions carry the version they began with.
 */
import { Schema, Types, model, models, trusted, type Model, type InferSchemaType } from 'mongoose';
import { ROLES, type Role } from '../../kernel';
import { bumpsCacheVersion } from '../../web/cache-versions';

export { ROLES, type Role };

export const USER_STATUSES = ['active', 'suspended'] as const;
export const COMPANY_SIZES = ['micro', 'small', 'medium'] as const;
export const SECTORS = [
  'agriculture',
  'manufacturing',
  'textiles',
  'electronics',
  'machinery',
  'chemicals',
  'food',
  'construction',
  'energy',
  'environment',
  'ict',
  'trade',
  'logistics',
  'tourism',
  'finance',
  'services',
  'creative',
  'health',
  'other',
] as const;

const TokenSchema = new Schema(
  {
    hash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { _id: false },
);

const UserSchema = new Schema(
  {
    // Created by the demo-data tool: never counted in the figures.
    demo: { type: Boolean, default: false },
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    language: { type: String, enum: ['en', 'zh-CN'], default: 'en' },
    role: { type: String, enum: ROLES, default: 'member', index: true },
    /** ASEM member code: the company's member for members, the represented member for liaisons. */
    member: { type: String, uppercase: true, index: true },
    company: { type: Schema.Types.ObjectId, ref: 'Company' },
    /** Liaisons: the government agency and the languages they work in. */
    agency: { type: String, trim: true },
    /** Officials: their job title (optional). */
    title: { type: String, trim: true },
    languages: { type: [String], default: [] },
    status: { type: String, enum: USER_STATUSES, default: 'active', index: true },
    emailVerifiedAt: { type: Date },
    verification: { type: TokenSchema },
    passwordReset: { type: TokenSchema },
    /** A new e-mail address waiting for its own verification. */
    pendingEmail: { type: String, lowercase: true, trim: true },
    emailChange: { type: TokenSchema },
    authVersion: { type: Number, default: 0 },
    lastLoginAt: { type: Date },
  },
  { timestamps: true },
);
// People by role, member and name: the liaison directory's pages and the recipient lists.
UserSchema.index({ role: 1, member: 1, name: 1, _id: 1 });

const CompanySchema = new Schema(
  {
    // Created by the demo-data tool: never counted in the figures.
    demo: { type: Boolean, default: false },
    name: { type: String, required: true, trim: true },
    member: { type: String, required: true, uppercase: true, index: true },
    sector: { type: String, required: true, enum: SECTORS },
    size: { type: String, required: true, enum: COMPANY_SIZES },
    website: { type: String, trim: true },
    description: { type: String, trim: true, default: '' },
    products: { type: String, trim: true, default: '' },
    owner: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    /** Shown in the directory once the owner has verified the e-mail address. */
    listed: { type: Boolean, default: false, index: true },
    /**
     * Kept out of every list, count and public page whatever the owner's verification says: the
     * placeholder company an official once had to register (officials are not SMEs).
     */
    unlisted: { type: Boolean, default: false },
    /* The partner profile (partner search, suggestions): see partner-profile.ts. */
    offers: { type: String, trim: true, default: '' },
    seeks: { type: String, trim: true, default: '' },
    cooperationTypes: { type: [String], default: [] },
    /** ISIC Rev. 4 codes: section letters (A–U) and two-digit divisions. */
    isic: { type: [String], default: [] },
    /** ASEM member codes the company wants to sell to or work in. */
    targetMarkets: { type: [String], default: [] },
    workingLanguages: { type: [String], default: [] },
    city: { type: String, trim: true, default: '' },
    foundedYear: { type: Number, default: null },
    /** Shown only to accepted contacts, the member's liaisons and the organizer. */
    phone: { type: String, trim: true, default: '' },
    logo: { type: new Schema({ storedName: String, originalName: String, size: Number, kind: String, mime: String }, { _id: false }), default: null },
    /** Terms of name, products, offers and seeks (src/web/search.ts); see partner-profile.ts. */
    searchTerms: { type: [String], default: [], select: false },
    searchTermsVersion: { type: Number, default: 0 },
  },
  { timestamps: true },
);
CompanySchema.index({ searchTerms: 1 });
CompanySchema.index({ listed: 1, createdAt: -1 });
CompanySchema.index({ isic: 1 });
CompanySchema.index({ cooperationTypes: 1 });
CompanySchema.index({ targetMarkets: 1 });

/** The one filter for "a company the portal lists and counts as an SME". */
export const LISTED_COMPANY = { listed: true, unlisted: trusted({ $ne: true }) };

/**
 * An invitation for a government official: the organizer names the address and the ASEM member;
 * the person follows the link (valid 7 days, single use, only its hash stored) and sets a name and
 * password. Pending while neither accepted nor revoked.
 */
const InvitationSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, index: true },
    name: { type: String, trim: true, default: '' },
    member: { type: String, required: true, uppercase: true },
    agency: { type: String, trim: true, default: '' },
    title: { type: String, trim: true, default: '' },
    /** The language of the invitation e-mail and of the new account. */
    language: { type: String, enum: ['en', 'zh-CN'], default: 'en' },
    token: { type: TokenSchema },
    invitedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    sentAt: { type: Date, required: true },
    acceptedAt: { type: Date },
    acceptedBy: { type: Schema.Types.ObjectId, ref: 'User' },
    revokedAt: { type: Date },
  },
  { timestamps: true },
);
InvitationSchema.index({ 'token.hash': 1 }, { sparse: true });
// Invitations by date: the organizer's list and desk walk it newest (or oldest) first and keep the
// pending ones (neither accepted nor revoked: null, which no index seeks to), stopping at a page.
InvitationSchema.index({ sentAt: -1, _id: -1 });

export type UserDoc = InferSchemaType<typeof UserSchema> & { _id: Types.ObjectId };
export type CompanyDoc = InferSchemaType<typeof CompanySchema> & { _id: Types.ObjectId };
/** Version stamp of the cached list of accounts that are not active (src/web/cache-versions.ts). */
export const ACCOUNT_STATUS_STAMP = 'account-status';
bumpsCacheVersion(UserSchema, ACCOUNT_STATUS_STAMP);
/** Version stamp of figures counted over the companies (the organizer's dashboard). */
export const COMPANIES_STAMP = 'companies';
bumpsCacheVersion(CompanySchema, COMPANIES_STAMP);

export const User: Model<UserDoc> = (models.User as Model<UserDoc>) ?? model<UserDoc>('User', UserSchema, 'users');
export type InvitationDoc = InferSchemaType<typeof InvitationSchema> & { _id: Types.ObjectId; createdAt?: Date };
export const Invitation: Model<InvitationDoc> = (models.Invitation as Model<InvitationDoc>) ?? model<InvitationDoc>('Invitation', InvitationSchema, 'invitations');
export const Company: Model<CompanyDoc> = (models.Company as Model<CompanyDoc>) ?? model<CompanyDoc>('Company', CompanySchema, 'companies');
