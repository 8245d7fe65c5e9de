/**
 * The organizer's forms and search filters.
 */
import { z } from 'zod';
import { fields } from '../../web/forms';
import { LANGUAGES, ROLES } from '../../kernel';

const memberCode = () => z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{2,12}$/, 'validation:invalidChoice');

/** Filters arrive in the query string; a value that does not fit is dropped, not an error. */
export const UserSearchQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  member: memberCode().optional().catch(undefined),
  status: z.enum(['active', 'suspended', 'unverified']).optional().catch(undefined),
});

export const AuditQuery = z.object({
  action: z
    .string()
    .trim()
    .regex(/^[a-z][\w.-]{0,60}$/i)
    .optional()
    .catch(undefined),
});

const workingLanguages = fields.commaList(12, 40);

export const DesignateForm = z.object({
  member: memberCode(),
  agency: fields.text(200),
  languages: workingLanguages.optional().default([]),
});

export const SuspendForm = z.object({
  note: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(500)),
});

export const RenameMemberForm = z.object({
  nameEn: fields.text(100),
  nameZh: fields.text(100),
});

export const AddMemberForm = RenameMemberForm.extend({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{2,12}$/, 'admin:members.codeFormat'),
  region: z.enum(['Asia', 'Europe']),
  kind: z.enum(['country', 'organisation']),
});

export const InviteOfficialForm = z.object({
  email: fields.email(),
  name: fields.optionalText(120),
  member: memberCode(),
  title: fields.optionalText(120),
  agency: fields.optionalText(200),
  language: z.enum(LANGUAGES),
});
