/**
 * Who hears about a step of a booth request, and what they read: one text per recipient role per
 * step (the company that asked, its member's liaisons, the organizers), in the reader's language.
 */
import { liaisonsOf, organizers, reachablePerson, type Person } from '../accounts';
import { findAsemMember } from '../members';
import type { MailContent, MailLine, Recipient } from '../../web/mail';
import { localized, type Language } from '../../web/i18n';
import type { FairDeps } from './deps';
import type { BoothRequestDoc, FairEditionDoc, Localized } from './model';
import type { RequestAction } from './workflow';

export type Audience = 'member' | 'liaison' | 'organizer';

/** The people concerned by each step. The requesting company always hears about its own request. */
export const AUDIENCE: Record<RequestAction, Audience[]> = {
  submit: ['member', 'liaison'],
  endorse: ['member', 'organizer'],
  decline: ['member'],
  approve: ['member', 'liaison'],
  waitlist: ['member', 'liaison'],
  reject: ['member', 'liaison'],
  confirm: ['member', 'liaison', 'organizer'],
  withdraw: ['member', 'liaison', 'organizer'],
  offer: ['member', 'liaison', 'organizer'],
};

export interface StepMail {
  action: RequestAction;
  audience: Audience;
  company: string;
  edition: Localized;
  /** The ASEM member's names. */
  member: Localized;
  url: string;
  note?: string;
  booths?: string[];
}

/** The e-mail one recipient reads about one step (catalogue keys; the mailer renders them in the reader's language). */
export function stepMail(m: StepMail, lang: Language): MailContent {
  const params = { company: m.company, edition: localized(m.edition, lang), member: localized(m.member, lang), booths: (m.booths ?? []).join(', ') };
  const base = `fair:mail.${m.action}.${m.audience}`;
  const lines: MailLine[] = [{ key: `${base}.body`, params }];
  if (m.booths?.length) lines.push({ key: 'fair:mail.boothsLine', params });
  if (m.note) lines.push({ key: 'fair:mail.noteLine' }, { quote: m.note });
  return { subject: { key: `${base}.subject`, params }, lines, action: { label: { key: 'fair:mail.open' }, url: m.url } };
}

function toRecipient(p: Person): Recipient {
  return { email: p.email, name: p.name, language: p.language };
}

/** Each person concerned once, with the role they are written to as (the first that applies). */
export async function recipientsFor(request: Pick<BoothRequestDoc, 'requester' | 'member'>, action: RequestAction): Promise<{ to: Recipient; audience: Audience }[]> {
  const out: { to: Recipient; audience: Audience }[] = [];
  const seen = new Set<string>();
  const add = (people: Person[], audience: Audience) => {
    for (const p of people) if (!seen.has(p.email)) (seen.add(p.email), out.push({ to: toRecipient(p), audience }));
  };
  for (const audience of AUDIENCE[action]) {
    if (audience === 'member') {
      const u = await reachablePerson(request.requester);
      if (u) add([u], 'member');
    }
    if (audience === 'liaison') add(await liaisonsOf(request.member), 'liaison');
    if (audience === 'organizer') add(await organizers(), 'organizer');
  }
  return out;
}

export async function notifyStep(
  deps: Pick<FairDeps, 'mailer' | 'baseUrl'>,
  opts: {
    edition: Pick<FairEditionDoc, 'name'>;
    request: Pick<BoothRequestDoc, '_id' | 'requester' | 'member' | 'companyName'>;
    action: RequestAction;
    note?: string;
    booths?: string[];
  },
): Promise<void> {
  const recipients = await recipientsFor(opts.request, opts.action);
  if (!recipients.length) return;
  const member = await findAsemMember(opts.request.member);
  const memberNames: Localized = member ? member.name : { en: opts.request.member, 'zh-CN': opts.request.member };
  const url = `${deps.baseUrl}/fair/requests/${String(opts.request._id)}`;
  await Promise.all(
    recipients.map(({ to, audience }) =>
      deps.mailer.notify(
        to,
        stepMail({ action: opts.action, audience, company: opts.request.companyName, edition: opts.edition.name, member: memberNames, url, note: opts.note, booths: opts.booths }, to.language),
      ),
    ),
  );
}
