/** The accounts module's desk items: for the organizer, officials invited by e-mail who have not accepted yet. */
import type { Actor, DeskItem } from '../../kernel';
import { Invitation, type InvitationDoc } from './model';

const PENDING = { acceptedAt: null, revokedAt: null };

export async function invitationsDeskItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  if (actor.role !== 'organizer') return [];
  const rows = await Invitation.find(PENDING, { email: 1, member: 1, sentAt: 1, token: 1 }).sort({ sentAt: 1 }).limit(100).lean<InvitationDoc[]>();
  return rows.map((r) => {
    const expired = !r.token || r.token.expiresAt <= now;
    return {
      kind: 'accounts.invitation',
      title: { key: expired ? 'accounts:desk.invitationExpired' : 'accounts:desk.invitation', params: { email: r.email, member: r.member } },
      url: '/admin/officials',
      since: r.sentAt,
      action: { key: expired ? 'accounts:desk.resend' : 'accounts:desk.follow' },
      due: r.token?.expiresAt ?? null,
    };
  });
}

/**
 * Walks the { sentAt, _id } index (no index seeks to "not accepted, not revoked": null). Invitations
 * are sent one by one by the organizer to officials, so the collection stays small.
 */
export async function invitationsDeskCount(actor: Actor): Promise<number> {
  return actor.role === 'organizer' ? Invitation.countDocuments(PENDING).hint({ sentAt: -1, _id: -1 }) : 0;
}
