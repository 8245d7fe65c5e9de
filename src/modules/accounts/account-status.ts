/**
 * The accounts that are not active (suspended, or not yet active), which lists and figures leave
 * out. Few, but asked for by partner search, suggestions and figures on many pages: read once and
 * kept in the process until an account is written (here or on another instance: see
 * src/web/cache-versions.ts), instead of a users query per page.
 */
import type { Types } from 'mongoose';
import { trusted } from 'mongoose';
import { VersionedCache } from '../../web/cache-versions';
import { ACCOUNT_STATUS_STAMP, USER_STATUSES, User } from './model';

interface NotActive {
  /** Suspended member accounts: their companies are shown nowhere. */
  suspendedMembers: Types.ObjectId[];
  /** Every account whose status is not active. */
  notActive: string[];
}

const cache = new VersionedCache<NotActive>([ACCOUNT_STATUS_STAMP], 1);

export function notActiveAccounts(): Promise<NotActive> {
  return cache.get('all', async () => {
    const rows = await User.find({ status: trusted({ $in: USER_STATUSES.filter((s) => s !== 'active') }) }, { _id: 1, role: 1, status: 1 }).lean<{ _id: Types.ObjectId; role?: string; status?: string }[]>();
    return {
      suspendedMembers: rows.filter((r) => r.status === 'suspended' && r.role === 'member').map((r) => r._id),
      notActive: rows.map((r) => String(r._id)),
    };
  });
}
