/**
 * The partners forms: one schema each; errors are message keys per field.
 */
import { z } from 'zod';
import { fields } from '../../web/forms';
import { COOPERATION_TYPES } from '../accounts';
import { isIsicCode } from './isic';
import { CLOSE_REASONS, OPPORTUNITY_KINDS, TEXT_LANGUAGES } from './model';
import { CONTACT_MESSAGE_MAX, DECLINE_REASON_MAX } from './contacts';

const memberCode = z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{2,12}$/, 'validation:invalid');
const isic = z.string().trim().refine(isIsicCode, 'partners:errors.unknownSector');
const cooperation = z.enum(COOPERATION_TYPES, 'partners:errors.unknownCooperation');

export const PartnerProfileForm = z.object({
  products: fields.optionalText(2000).transform((v) => v ?? ''),
  offers: fields.optionalText(1000).transform((v) => v ?? ''),
  seeks: fields.optionalText(1000).transform((v) => v ?? ''),
  cooperationTypes: fields.list(cooperation).pipe(z.array(z.enum(COOPERATION_TYPES)).max(COOPERATION_TYPES.length)),
  isic: fields.list(isic).pipe(z.array(z.string()).max(20)),
  targetMarkets: fields.list(memberCode).pipe(z.array(z.string()).max(60)),
  workingLanguages: fields.list(z.enum(TEXT_LANGUAGES)).pipe(z.array(z.enum(TEXT_LANGUAGES)).max(TEXT_LANGUAGES.length)),
  city: fields.optionalText(100).transform((v) => v ?? ''),
  foundedYear: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().min(1800, 'partners:errors.foundedYear').max(2100, 'partners:errors.foundedYear').nullable()),
  phone: z.preprocess((v) => (v === undefined ? '' : v), z.string().trim().max(40).regex(/^[+0-9 ()./-]*$/, 'partners:errors.phone')),
  removeLogo: z.enum(['1']).optional(),
});

export const OpportunityForm = z.object({
  kind: z.enum(OPPORTUNITY_KINDS),
  title: fields.text(200),
  description: fields.text(20_000),
  cooperationType: cooperation,
  isic: fields.list(isic).pipe(z.array(z.string()).min(1, 'partners:errors.sectorRequired').max(10)),
  targetMarkets: fields.list(memberCode).pipe(z.array(z.string()).max(60)),
  language: z.enum(TEXT_LANGUAGES),
  expiresOn: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation:invalid'),
  onBehalfOf: fields.optionalText(200).transform((v) => v ?? ''),
  removeAttachments: fields.list(fields.objectId()).pipe(z.array(z.string()).max(10)),
});

export const ContactForm = z.object({
  message: z.string().trim().min(1).max(CONTACT_MESSAGE_MAX),
  opportunity: z.preprocess((v) => (v === '' ? undefined : v), fields.objectId().optional()),
});

export const DeclineForm = z.object({ reason: fields.optionalText(DECLINE_REASON_MAX).transform((v) => v ?? '') });
export const ReportForm = z.object({ reason: fields.text(1000) });
export const CloseForm = z.object({ reason: z.enum(CLOSE_REASONS) });
export const RenewForm = z.object({ expiresOn: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'validation:invalid') });
export const ModerationForm = z.object({ reason: fields.text(1000) });
export const DigestForm = z.object({ enabled: z.enum(['0', '1']) });
