/**
 * "Suggested for you" and the weekly digest. A company's seeks are its sectors, cooperation types
 * and target markets; what meets them is an opportunity or a company that overlaps any of them.
 * Order: Asia–Europe pairs first, then more overlap, then newer.
 *
 * The digest is opt-in, weekly, and lists new matching opportunities since the last one. Each
 * setting is claimed for a run by moving nextDueAt forward with one conditional update, so several
 * instances never send the same digest twice. Every digest carries a one-click unsubscribe link
 * (RFC 8058): a token signed with the session secret names the user.
 */
import { Types, trusted } from 'mongoose';
import type { Actor, Clock } from '../../kernel';
import { ForbiddenError } from '../../kernel';
import type { Mailer } from '../../web/mail';
import { companiesOverlapping, partnerProfileOfOwner, reachablePerson, type PartnerCompany } from '../accounts';
import { findAsemMember, listAsemMembers } from '../members';
import { DigestSetting, type OpportunityDoc } from './model';
import { latestOpenOpportunities } from './opportunities';
import { readUserToken, signUserToken } from '../../web/signed-token';

const DAY = 24 * 60 * 60 * 1000;
export const DIGEST_INTERVAL_MS = 7 * DAY;

export interface Seeks {
  isic: string[];
  cooperationTypes: string[];
  targetMarkets: string[];
  region: string;
  companyId: string | null;
}

interface Scored<T> {
  item: T;
  crossRegion: boolean;
  overlap: number;
  createdAt: Date;
}

function overlapOf(seeks: Seeks, item: { isic: string[]; cooperationTypes: string[]; targetMarkets: string[] }): number {
  const count = (a: string[], b: string[]) => a.filter((x) => b.includes(x)).length;
  return count(seeks.isic, item.isic) + count(seeks.cooperationTypes, item.cooperationTypes) + count(seeks.targetMarkets, item.targetMarkets);
}

/** Asia–Europe pairs first, then more overlap, then newer. */
export function rank<T>(list: Scored<T>[]): T[] {
  return list
    .filter((s) => s.overlap > 0)
    .sort((a, b) => Number(b.crossRegion) - Number(a.crossRegion) || b.overlap - a.overlap || b.createdAt.getTime() - a.createdAt.getTime())
    .map((s) => s.item);
}

export async function seeksOf(userId: string): Promise<Seeks | null> {
  const profile = await partnerProfileOfOwner(userId);
  if (!profile) return null;
  const member = await findAsemMember(profile.member);
  return { isic: profile.isic, cooperationTypes: profile.cooperationTypes, targetMarkets: profile.targetMarkets, region: member?.region ?? '', companyId: profile.id };
}

export function matchingOpportunities(seeks: Seeks, candidates: OpportunityDoc[]): OpportunityDoc[] {
  return rank(
    candidates
      .filter((o) => !seeks.companyId || String(o.company) !== seeks.companyId)
      .map((o) => ({
        item: o,
        crossRegion: !!seeks.region && !!o.region && o.region !== seeks.region,
        overlap: overlapOf(seeks, { isic: o.isic, cooperationTypes: [o.cooperationType], targetMarkets: o.targetMarkets }),
        createdAt: o.createdAt,
      })),
  );
}

export async function suggestionsFor(actor: Actor, now: Date, limit = 5): Promise<{ opportunities: OpportunityDoc[]; companies: PartnerCompany[] } | null> {
  const seeks = await seeksOf(actor.id);
  if (!seeks) return null;
  const [candidates, companies, members] = await Promise.all([
    latestOpenOpportunities(now, { limit: 300 }),
    companiesOverlapping({ isic: seeks.isic, cooperationTypes: seeks.cooperationTypes, targetMarkets: seeks.targetMarkets, exceptId: seeks.companyId, limit: 300 }),
    listAsemMembers(),
  ]);
  const regionOf = new Map(members.map((m) => [m.code, m.region]));
  const rankedCompanies = rank(
    companies.map((c) => ({ item: c, crossRegion: !!seeks.region && regionOf.get(c.member) !== seeks.region, overlap: overlapOf(seeks, c), createdAt: c.createdAt })),
  );
  return { opportunities: matchingOpportunities(seeks, candidates).slice(0, limit), companies: rankedCompanies.slice(0, limit) };
}

/* ---- the weekly digest ---- */

export function digestToken(secret: string, userId: string): string {
  return signUserToken(secret, 'partners-digest-unsubscribe', userId);
}

export function readDigestToken(secret: string, token: unknown): string | null {
  return readUserToken(secret, 'partners-digest-unsubscribe', token);
}

export async function digestEnabled(actor: Actor): Promise<boolean> {
  return Boolean(await DigestSetting.exists({ user: new Types.ObjectId(actor.id), enabled: true }));
}

export async function setDigest(actor: Actor, enabled: boolean, now: Date): Promise<void> {
  if (actor.role !== 'member') throw new ForbiddenError();
  await DigestSetting.updateOne(
    { user: new Types.ObjectId(actor.id) },
    { $set: { enabled, ...(enabled ? { lastSentAt: now, nextDueAt: new Date(now.getTime() + DIGEST_INTERVAL_MS) } : {}) }, $setOnInsert: enabled ? {} : { lastSentAt: now, nextDueAt: now } },
    { upsert: true },
  );
}

export async function unsubscribeDigestByToken(secret: string, token: unknown): Promise<boolean> {
  const userId = readDigestToken(secret, token);
  if (!userId) return false;
  await DigestSetting.updateOne({ user: new Types.ObjectId(userId) }, { $set: { enabled: false } });
  return true;
}

export interface DigestDeps {
  mailer: Mailer;
  clock: Clock;
  baseUrl: string;
  secret: string;
}

/** Sends the digests that are due; returns how many went out. */
export async function sendDueDigests(deps: DigestDeps): Promise<number> {
  const now = deps.clock();
  const due = await DigestSetting.find({ enabled: true, nextDueAt: trusted({ $lte: now }) }).limit(500).lean();
  let sent = 0;
  for (const setting of due) {
    // The claim: only the instance that moves nextDueAt sends this digest.
    const claimed = await DigestSetting.findOneAndUpdate(
      { _id: setting._id, enabled: true, nextDueAt: setting.nextDueAt },
      { $set: { nextDueAt: new Date(now.getTime() + DIGEST_INTERVAL_MS), lastSentAt: now } },
    ).lean();
    if (!claimed) continue;
    const person = await reachablePerson(setting.user);
    const seeks = person ? await seeksOf(String(setting.user)) : null;
    if (!person || !seeks) continue;
    const matches = matchingOpportunities(seeks, await latestOpenOpportunities(now, { since: setting.lastSentAt, limit: 300 })).slice(0, 20);
    if (!matches.length) continue;
    await deps.mailer.notify(person, {
      subject: { key: 'partners:emails.digest.subject', params: { count: matches.length } },
      lines: [
        { key: 'partners:emails.digest.body', params: { count: matches.length } },
        ...matches.map((o) => ({ quote: `${o.title}\n${deps.baseUrl}/opportunities/${String(o._id)}` })),
      ],
      action: { label: { key: 'partners:emails.digest.action' }, url: `${deps.baseUrl}/opportunities` },
      unsubscribeUrl: `${deps.baseUrl}/opportunities/digest/unsubscribe?token=${encodeURIComponent(digestToken(deps.secret, String(setting.user)))}`,
    });
    sent++;
  }
  return sent;
}
