/**
 * Final versions of the officials' working documents join the library as published policy
 * documents. The caller hands over a stored file of its own (a copy), so deleting the practice
 * never removes the working document's file.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../kernel';
import { assertRole } from '../../kernel';
import { MARKDOWN_VERSION, renderMarkdown } from '../../web/markdown';
import { textTerms } from '../../web/search';
import type { StoredFileRef } from '../../web/uploads';
import { Practice } from './model';

export interface PolicyDocumentInput {
  title: string;
  summary: string;
  body: string;
  /** The ASEM member it is shown under (the meeting's host). */
  member: string;
  organisation: string;
  language: 'en' | 'zh';
  file: StoredFileRef;
}

/** Publishes a policy document in the library; returns the practice's id. Organizer only. */
export async function publishPolicyDocument(actor: Actor, input: PolicyDocumentInput, now: Date): Promise<string> {
  assertRole(actor, 'organizer');
  const created = await Practice.create({
    kind: 'policy',
    status: 'published',
    publishedAt: now,
    title: input.title,
    summary: input.summary,
    body: input.body,
    bodyHtml: renderMarkdown(input.body, 'practices'),
    bodyHtmlVersion: MARKDOWN_VERSION,
    themes: [],
    member: input.member,
    language: input.language,
    organisation: input.organisation,
    attachments: [{ ...input.file, _id: new Types.ObjectId() }],
    author: new Types.ObjectId(actor.id),
    authorRole: 'organizer',
    company: null,
    searchTerms: textTerms(input.title, input.summary, input.body),
  });
  return String(created._id);
}
