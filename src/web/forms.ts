/**
 * One zod schema per form, and one way to handle a form (formHandler): validate the body and the
 * query at the edge, show the form again with per-field errors (422) and the user's input kept, or
 * call the service with typed input. parseForm turns zod's issues into message keys per field, shown
 * beside each field (partials/field.ejs). A schema may give its own key as the issue message
 * (e.g. `.refine(fn, 'accounts:passwordIsEmail')`).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
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

/** What the user typed, as a form shows it back: strings and lists of strings. */
export type FormValues = Record<string, string | string[]>;

/** Fields never shown back in a form. */
export const SECRET_FIELDS: readonly string[] = ['_csrf', 'password', 'currentPassword', 'newPassword', 'emailPassword', 'confirmPassword'];

/** The one form-echo helper: the user's input to show back (strings and string lists), secrets left out. */
export function formValues(input: unknown, omit: readonly string[] = SECRET_FIELDS): FormValues {
  const out: FormValues = {};
  if (!input || typeof input !== 'object') return out;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (omit.includes(k)) continue;
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** What a form is shown again with. */
export interface FormState {
  values: FormValues;
  errors: FieldErrors;
}

export interface FormSpec<B extends z.ZodType, Q extends z.ZodType> {
  /** The body's schema. */
  body: B;
  /** The query string's schema, when the form's target takes parameters (e.g. ?to=...). */
  query?: Q;
  /**
   * Shows the form again; the status is already 422. Also used when the service throws a
   * ValidationError for a rule that needs the database (e.g. "this e-mail address is taken").
   */
  render(req: Request, res: Response, state: FormState): unknown;
  /** More problems to show beside the schema's (so one round trip shows every problem). */
  moreProblems?(req: Request): Promise<FieldErrors>;
  /** Body fields never shown back (default: SECRET_FIELDS). */
  secret?: readonly string[];
  /** Runs with the typed input once it is valid: call the service, then redirect or render. */
  handle(req: Request, res: Response, input: { body: z.infer<B>; query: z.infer<Q> }): unknown;
}

/**
 * The one way to handle a form post: body (and query) parsed by their schemas; invalid input shows
 * the form again (422) with the errors beside the fields and the input kept; valid input goes to
 * `handle`; a ValidationError thrown there shows the form again the same way. Other errors go on to
 * the error handler.
 */
export function formHandler<B extends z.ZodType, Q extends z.ZodType = z.ZodType<Record<string, never>>>(spec: FormSpec<B, Q>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const again = async (errors: FieldErrors) => {
      res.status(422);
      await spec.render(req, res, { values: formValues(req.body, spec.secret), errors });
    };
    try {
      const body = parseForm(spec.body, req.body);
      const query = spec.query ? parseForm(spec.query, req.query) : ({ ok: true, data: {} } as FormResult<z.infer<Q>>);
      if (!body.ok || !query.ok) {
        const more = spec.moreProblems ? await spec.moreProblems(req) : {};
        return await again({ ...more, ...(query.ok ? {} : query.errors), ...(body.ok ? {} : body.errors) });
      }
      try {
        await spec.handle(req, res, { body: body.data, query: query.data });
      } catch (err) {
        if (err instanceof ValidationError) return await again(err.fieldErrors);
        throw err;
      }
    } catch (err) {
      next(err);
    }
  };
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
