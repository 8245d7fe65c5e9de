/**
 * The practice form and the list filters. One schema each; errors are message keys per field.
 */
import { z } from 'zod';
import { fields } from '../../web/forms';
import { PRACTICE_KINDS, TEXT_LANGUAGES, THEMES } from './model';

export const PracticeForm = z.object({
  kind: z.enum(PRACTICE_KINDS),
  title: fields.text(200),
  summary: fields.text(1000),
  body: fields.text(50_000),
  themes: fields.list(z.enum(THEMES, 'practices:errors.unknownTheme')).refine((t) => t.length >= 1, 'practices:errors.themesRequired'),
  member: fields.optionalText(12),
  language: z.enum(TEXT_LANGUAGES),
  organisation: fields.text(200),
  results: fields.optionalText(5000),
  contact: fields.optionalText(300),
  intent: z.enum(['draft', 'publish']).default('publish'),
  /** On edit: ids of attachments to remove. */
  removeAttachments: fields.list(fields.objectId()).pipe(z.array(z.string()).max(20)),
});
export type PracticeInput = z.infer<typeof PracticeForm>;

export const ModerationForm = z.object({
  reason: fields.text(1000),
});

/** What a form shows: the stored practice, or the user's input after an error. */
export interface PracticeFormValues {
  kind: string;
  title: string;
  summary: string;
  body: string;
  themes: string[];
  member: string;
  language: string;
  organisation: string;
  results: string;
  contact: string;
}

/** The form's shape from what the user typed (formValues): a single checked theme arrives as a string. */
export function formShape(values: Record<string, string | string[] | undefined>): PracticeFormValues {
  const one = (k: keyof PracticeFormValues) => {
    const v = values[k];
    return typeof v === 'string' ? v : '';
  };
  const themes = values.themes;
  return {
    kind: one('kind'),
    title: one('title'),
    summary: one('summary'),
    body: one('body'),
    themes: Array.isArray(themes) ? themes : typeof themes === 'string' ? [themes] : [],
    member: one('member'),
    language: one('language'),
    organisation: one('organisation'),
    results: one('results'),
    contact: one('contact'),
  };
}
