/**
 * Who hears about a step of a booth request, and what they read, in their own language.
 */
import { liaisonsOf, organizers, reachablePerson, type Person } from '../accounts';
import type { Mailer, MailLine, Recipient } from '../../web/mail';
import { localized, type Language } from '../../web/i18n';
import type { BoothRequestDoc, FairEditionDoc } from './model';
import type { RequestAction } from './workflow';

type Audience = 'member' | 'liaisons' | 'organizers';

/** The people concerned by each step. The requesting member always hears about their own request. */
export const AUDIENCE: Record<RequestAction, Audience[]> = {
  submit: ['member', 'liaisons'],
  endorse: ['member', 'organizers'],
  decline: ['member'],
  approve: ['member', 'liaisons'],
  waitlist: ['member', 'liaisons'],
  reject: ['member', 'liaisons'],
  confirm: ['member', 'liaisons', 'organizers'],
  withdraw: ['member', 'liaisons', 'organizers'],
  offer: ['member', 'liaisons', 'organizers'],
};

function toRecipient(p: Person): Recipient {
  return { email: p.email, name: p.name, language: p.language };
}

export async function recipientsFor(request: Pick<BoothRequestDoc, 'requester' | 'member'>, action: RequestAction): Promise<Recipient[]> {
  const audience = AUDIENCE[action];
  const people: Person[] = [];
  if (audience.includes('member')) {
    const u = await reachablePerson(request.requester);
    if (u) people.push(u);
  }
  if (audience.includes('liaisons')) {
    people.push(...(await liaisonsOf(request.member)));
  }
  if (audience.includes('organizers')) {
    people.push(...(await organizers()));
  }
  const seen = new Set<string>();
  return people.filter((p) => (seen.has(p.email) ? false : (seen.add(p.email), true))).map(toRecipient);
}

export async function notifyStep(opts: {
  mailer: Mailer;
  baseUrl: string;
  edition: Pick<FairEditionDoc, 'name'>;
  request: Pick<BoothRequestDoc, '_id' | 'requester' | 'member' | 'companyName'>;
  action: RequestAction;
  note?: string;
  booths?: string[];
}): Promise<void> {
  const recipients = await recipientsFor(opts.request, opts.action);
  const url = `${opts.baseUrl}/fair/requests/${String(opts.request._id)}`;
  await Promise.all(
    recipients.map((to) => {
      const lang: Language = to.language;
      const params = { company: opts.request.companyName, edition: localized(opts.edition.name, lang), member: opts.request.member, booths: (opts.booths ?? []).join(', ') };
      const lines: MailLine[] = [{ key: `fair:mail.${opts.action}.body`, params }];
      if (opts.booths?.length) lines.push({ key: 'fair:mail.boothsLine', params });
      if (opts.note) lines.push({ key: 'fair:mail.noteLine' }, { quote: opts.note });
      return opts.mailer.notify(to, {
        subject: { key: `fair:mail.${opts.action}.subject`, params },
        lines,
        action: { label: { key: 'fair:mail.open' }, url },
      });
    }),
  );
}
