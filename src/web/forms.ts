/**
 * One zod schema per form. parseForm turns zod's issues into message keys per field, so a form is
 * shown again with the user's input kept and each error beside its field (partials/field.ejs).
 * A schema may give its own key as the issue message (e.g. `.refine(fn, 'accounts:passwordIsEmail')`).
 */
import type { Response } from 'express';
import { z } from 'zod';
import type { FieldErrors, MessageRef } from '../kernel';
import { ValidationError } from '../kernel';

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

const KEY_PATTERN = /^[a-zA-Z]+:[\w.]+$/;

function issueToMessage(issue: z.core.$ZodIssue): MessageRef {
  if (KEY_PATTERN.test(issue.message)) return { key: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      return { key: 'validation:required' };
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1 ? { key: 'validation:required' } : { key: 'validation:tooShort', params: { min: Number(issue.minimum) } };
      }
      if (issue.origin === 'array' || issue.origin === 'set') return { key: 'validation:chooseAtLeast', params: { min: Number(issue.minimum) } };
      return { key: 'validation:tooSmall', params: { min: Number(issue.minimum) } };
    case 'too_big':
      if (issue.origin === 'string') return { key: 'validation:tooLong', params: { max: Number(issue.maximum) } };
      if (issue.origin === 'array' || issue.origin === 'set') return { key: 'validation:chooseAtMost', params: { max: Number(issue.maximum) } };
      return { key: 'validation:tooBig', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      if (issue.format === 'email') return { key: 'validation:email' };
      if (issue.format === 'url') return { key: 'validation:url' };
      return { key: 'validation:invalid' };
    case 'invalid_value':
      return { key: 'validation:invalidChoice' };
    default:
      return { key: 'validation:invalid' };
  }
}

export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '_form';
    if (!errors[field]) errors[field] = issueToMessage(issue);
  }
  return errors;
}

export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: zodFieldErrors(result.error) };
}

/** Like parseForm, but throws ValidationError (for services and for routes without a form view). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = parseForm(schema, input);
  if (!result.ok) throw new ValidationError(result.errors);
  return result.data;
}

/** Renders a form again with the user's values and the errors, with status 422. */
export function renderFormErrors(res: Response, view: string, locals: Record<string, unknown> & { values: unknown; errors: FieldErrors }): void {
  res.status(422).render(view, locals);
}

/** Reusable field rules. Strings are trimmed; optional text fields turn '' into undefined. */
export const fields = {
  text: (max: number) => z.string().trim().min(1).max(max),
  optionalText: (max: number) =>
    z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(max).optional()),
  email: () => z.string().trim().toLowerCase().max(254).pipe(z.email()),
  optionalUrl: () =>
    z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().trim().max(500).pipe(z.url({ protocol: /^https?$/ })).optional(),
    ),
  objectId: () => z.string().regex(/^[a-f0-9]{24}$/i, 'validation:invalid'),
  /** A checkbox group or multi-select: one value arrives as a string, several as an array. */
  list: <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item)),
  /** A list typed in one box, split on commas (also Chinese ， and 、) and semicolons. */
  commaList: (maxItems: number, maxLength: number) =>
    z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(/[,，、;]/)
              .map((s) => s.trim())
              .filter(Boolean)
          : v,
      z.array(z.string().max(maxLength)).max(maxItems),
    ),
  checkbox: () => z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true, z.boolean()),
  int: (min: number, max: number) => z.coerce.number().int().min(min).max(max),
};
