/**
 * The events module's forms: one zod schema each. Days are typed as dates (YYYY-MM-DD) and kept as
 * UTC midnights; a deadline day lasts to its end (23:59:59 UTC).
 */
import { z } from 'zod';
import { fields } from '../../web/forms';
import { DOCUMENT_KINDS, EVENT_KINDS, VISIBILITIES } from './model';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = () =>
  z
    .string()
    .trim()
    .regex(DAY, 'validation:date')
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'validation:date')
    .transform((v) => new Date(`${v}T00:00:00Z`));
const optionalDay = () => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), day().optional());

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const optionalTime = () =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().regex(TIME, 'events:errors.time').optional());

export const EventForm = z
  .object({
    kind: z.enum(EVENT_KINDS),
    titleEn: fields.text(200),
    titleZh: fields.text(200),
    descriptionEn: fields.optionalText(5000),
    descriptionZh: fields.optionalText(5000),
    startsOn: day(),
    endsOn: day(),
    startTime: optionalTime(),
    endTime: optionalTime(),
    timeZone: z.string().trim().min(1).max(64).refine(isTimeZone, 'events:errors.timeZone'),
    hostMember: z.string().trim().min(1).max(10),
    city: fields.text(120),
    venue: fields.optionalText(200),
    visibility: z.enum(VISIBILITIES),
    delegationDeadline: optionalDay(),
  })
  .refine((v) => v.endsOn >= v.startsOn, { path: ['endsOn'], message: 'events:errors.endsBeforeStart' })
  .refine((v) => !v.startTime || !!v.endTime, { path: ['endTime'], message: 'events:errors.timesBoth' })
  .refine((v) => !v.endTime || !!v.startTime, { path: ['startTime'], message: 'events:errors.timesBoth' })
  .refine((v) => !v.startTime || !v.endTime || v.endsOn > v.startsOn || v.endTime > v.startTime, { path: ['endTime'], message: 'events:errors.endTimeBeforeStart' })
  .refine((v) => !v.delegationDeadline || v.delegationDeadline <= v.startsOn, { path: ['delegationDeadline'], message: 'events:errors.deadlineAfterStart' });
export type EventInput = z.infer<typeof EventForm>;

/** Delegates arrive as repeated fields (delegateName, delegateTitle, delegateAgency), one row each. */
const list = fields.list(z.string().trim().max(200));
export const DelegationForm = z
  .object({
    delegateName: list,
    delegateTitle: list,
    delegateAgency: list,
    arrival: day(),
    departure: day(),
    needs: fields.optionalText(2000),
  })
  .transform((v, zctx) => {
    const rows = [];
    const n = Math.max(v.delegateName.length, v.delegateTitle.length, v.delegateAgency.length);
    for (let i = 0; i < n; i++) {
      const name = v.delegateName[i] ?? '';
      const title = v.delegateTitle[i] ?? '';
      const agency = v.delegateAgency[i] ?? '';
      if (!name && !title && !agency) continue;
      if (!name) {
        zctx.addIssue({ code: 'custom', path: ['delegateName'], message: 'events:errors.delegateName' });
        return z.NEVER;
      }
      rows.push({ name, title, agency });
    }
    if (!rows.length) {
      zctx.addIssue({ code: 'custom', path: ['delegateName'], message: 'events:errors.noDelegates' });
      return z.NEVER;
    }
    if (rows.length > 30) {
      zctx.addIssue({ code: 'custom', path: ['delegateName'], message: 'events:errors.tooManyDelegates' });
      return z.NEVER;
    }
    if (v.departure < v.arrival) {
      zctx.addIssue({ code: 'custom', path: ['departure'], message: 'events:errors.departureBeforeArrival' });
      return z.NEVER;
    }
    return { delegates: rows, arrival: v.arrival, departure: v.departure, needs: v.needs ?? '' };
  });
export type DelegationInput = z.infer<typeof DelegationForm>;

export const DocumentForm = z.object({
  kind: z.enum(DOCUMENT_KINDS),
  title: fields.text(200),
  commentDeadline: optionalDay(),
  note: fields.optionalText(2000),
});
export type DocumentInput = z.infer<typeof DocumentForm>;

export const VersionForm = z.object({ note: fields.text(2000) });
export type VersionInput = z.infer<typeof VersionForm>;

export const CommentForm = z.object({ body: fields.text(5000) });

export const PublishForm = z.object({ version: z.coerce.number().int().min(1).max(1000), summary: fields.text(500) });
export type PublishInput = z.infer<typeof PublishForm>;
