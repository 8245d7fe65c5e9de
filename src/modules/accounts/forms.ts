/**
 * The account forms. Shapes only: rules that need the database or several fields (password rules,
 * the ASEM member code) are checked by the services.
 */
import { z } from 'zod';
import { fields } from '../../web/forms';
import { LANGUAGES } from '../../web/i18n';
import { COMPANY_SIZES, SECTORS } from './model';
import { MAX_PASSWORD_LENGTH } from './passwords';

const password = () => z.string().min(1).max(MAX_PASSWORD_LENGTH);
const memberCode = () => z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{2,12}$/, 'validation:invalidChoice');

export const companyFields = {
  companyName: fields.text(160),
  sector: z.enum(SECTORS),
  size: z.enum(COMPANY_SIZES),
  website: fields.optionalUrl(),
  description: fields.optionalText(4000),
  products: fields.optionalText(2000),
};

export const RegistrationForm = z.object({
  name: fields.text(120),
  email: fields.email(),
  password: password(),
  language: z.enum(LANGUAGES),
  member: memberCode(),
  ...companyFields,
});

export const CompanyForm = z.object(companyFields);

const languageList = fields.commaList(12, 40);

export const ProfileForm = z.object({
  name: fields.text(120),
  language: z.enum(LANGUAGES),
  agency: fields.optionalText(200),
  languages: languageList.optional(),
});

export const EmailOnlyForm = z.object({ email: fields.email() });

export const ResetPasswordForm = z.object({
  token: z.string().min(1).max(200),
  password: password(),
});

export const ChangePasswordForm = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: password(),
});

export const ChangeEmailForm = z.object({
  newEmail: fields.email(),
  /** Named apart from the password form's field: both forms are on one page. */
  emailPassword: z.string().min(1).max(1024),
});

export { languageList };

export const AcceptInvitationForm = z.object({
  token: z.string().min(1).max(200),
  name: fields.text(120),
  password: password(),
});
