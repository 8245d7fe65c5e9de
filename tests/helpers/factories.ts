/**
 * Small factories for test data, written straight to the database through the models.
 */
import { randomBytes } from 'node:crypto';
import { Company, User, type Role, SECTORS, COMPANY_SIZES } from '../../src/modules/accounts/model';
import { hashPassword } from '../../src/modules/accounts';

export const DEFAULT_PASSWORD = 'correct-horse-battery-9';
let cachedHash: Promise<string> | undefined;

export interface MadeUser {
  id: string;
  email: string;
  password: string;
  name: string;
  member: string | null;
  companyId: string | null;
}

export async function makeUser(opts: {
  role?: Role;
  member?: string;
  email?: string;
  name?: string;
  language?: 'en' | 'zh-CN';
  verified?: boolean;
  status?: 'active' | 'suspended';
  company?: Partial<{ name: string; sector: (typeof SECTORS)[number]; size: (typeof COMPANY_SIZES)[number]; website: string; description: string; products: string }> | false;
  agency?: string;
  createdAt?: Date;
} = {}): Promise<MadeUser> {
  const role = opts.role ?? 'member';
  const email = (opts.email ?? `${role}-${randomBytes(5).toString('hex')}@example.org`).toLowerCase();
  const name = opts.name ?? `Test ${role} ${randomBytes(2).toString('hex')}`;
  const member = role === 'organizer' ? opts.member ?? null : opts.member ?? 'DE';
  cachedHash ??= hashPassword(DEFAULT_PASSWORD);
  const user = await User.create({
    email,
    name,
    passwordHash: await cachedHash,
    role,
    member: member ?? undefined,
    language: opts.language ?? 'en',
    status: opts.status ?? 'active',
    emailVerifiedAt: opts.verified === false ? undefined : new Date(),
    agency: opts.agency ?? (role === 'liaison' ? 'Ministry of SMEs' : undefined),
    ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
  });
  let companyId: string | null = null;
  if (role === 'member' && opts.company !== false) {
    const company = await Company.create({
      name: opts.company?.name ?? `${name} Ltd`,
      member: member!,
      sector: opts.company?.sector ?? 'manufacturing',
      size: opts.company?.size ?? 'small',
      website: opts.company?.website,
      description: opts.company?.description ?? '',
      products: opts.company?.products ?? '',
      owner: user._id,
      listed: opts.verified !== false,
    });
    companyId = String(company._id);
    await User.updateOne({ _id: user._id }, { $set: { company: company._id } });
  }
  return { id: String(user._id), email, password: DEFAULT_PASSWORD, name, member, companyId };
}
