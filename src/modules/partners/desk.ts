/**
 * The partners module's desk items for a member: contact requests waiting for the company's answer
 * (oldest first), and the member's own opportunities that expire within 7 days (to renew).
 */
import { Types, trusted } from 'mongoose';
import type { Actor, DeskItem } from '../../kernel';
import { isObjectId } from '../../kernel';
import { companyNames } from '../accounts';
import { ContactRequest, Opportunity } from './model';

export const EXPIRY_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

function waitingRequests(actor: Actor, now: Date): Record<string, unknown> | null {
  if (actor.role !== 'member' || !actor.companyId || !isObjectId(actor.companyId)) return null;
  return { toCompany: new Types.ObjectId(actor.companyId), status: 'open', expiresAt: trusted({ $gt: now }) };
}

function expiringOpportunities(actor: Actor, now: Date): Record<string, unknown> | null {
  if (actor.role !== 'member') return null;
  return {
    author: new Types.ObjectId(actor.id),
    closedAt: null,
    hiddenAt: null,
    expiresAt: trusted({ $gt: now, $lte: new Date(now.getTime() + EXPIRY_WINDOW_MS) }),
  };
}

export async function partnersDeskItems(actor: Actor, now: Date): Promise<DeskItem[]> {
  const requests = waitingRequests(actor, now);
  const expiring = expiringOpportunities(actor, now);
  if (!requests || !expiring) return [];
  const [received, opportunities] = await Promise.all([
    ContactRequest.find(requests, { fromCompany: 1, createdAt: 1 }).sort({ createdAt: 1 }).limit(100).lean(),
    Opportunity.find(expiring, { title: 1, expiresAt: 1 }).sort({ expiresAt: 1 }).limit(100).lean(),
  ]);
  const names = await companyNames(received.map((r) => r.fromCompany));
  return [
    ...received.map((r) => ({
      kind: 'partners.contactRequest',
      title: { key: 'partners:desk.contactRequest', params: { company: names.get(String(r.fromCompany)) ?? '' } },
      url: '/contacts',
      since: r.createdAt,
      action: { key: 'partners:desk.answer' },
    })),
    ...opportunities.map((o) => ({
      kind: 'partners.expiring',
      title: { key: 'partners:desk.expiring', params: { title: o.title } },
      url: `/opportunities/${String(o._id)}`,
      // Waiting since it entered the last week before its expiry.
      since: new Date(o.expiresAt.getTime() - EXPIRY_WINDOW_MS),
      action: { key: 'partners:desk.renew' },
      due: o.expiresAt,
    })),
  ];
}

export async function partnersDeskCount(actor: Actor, now: Date): Promise<number> {
  const requests = waitingRequests(actor, now);
  const expiring = expiringOpportunities(actor, now);
  if (!requests || !expiring) return 0;
  const [a, b] = await Promise.all([ContactRequest.countDocuments(requests), Opportunity.countDocuments(expiring)]);
  return a + b;
}
