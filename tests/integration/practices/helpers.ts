/**
 * Helpers for the practices tests: posting the practice form as multipart (like a browser, with
 * the CSRF token in the action URL), and reading what is on disk.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Agent } from '../../helpers/http';
import { csrfToken } from '../../helpers/http';

export interface PracticeFields {
  kind?: string;
  title?: string;
  summary?: string;
  body?: string;
  themes?: string[];
  member?: string;
  language?: string;
  organisation?: string;
  results?: string;
  contact?: string;
  intent?: 'draft' | 'publish';
  removeAttachments?: string[];
}

export interface FileToAttach {
  bytes: Buffer;
  name: string;
  type?: string;
}

export const GOOD_PRACTICE: Required<Omit<PracticeFields, 'member' | 'removeAttachments'>> = {
  kind: 'business',
  title: 'Cluster innovation vouchers for small firms',
  summary: 'Vouchers let small firms buy research from universities.',
  body: 'Our **cluster** gives innovation vouchers.\n\n- apply online\n- get an answer in two weeks',
  themes: ['innovation', 'clusters'],
  language: 'en',
  organisation: 'Example Works GmbH',
  results: '120 vouchers, 40 new products',
  contact: 'info@example.org',
  intent: 'publish',
};

export async function postPractice(agent: Agent, url: string, fields: PracticeFields, files: FileToAttach[] = []) {
  const token = await csrfToken(agent, '/practices/new');
  let req = agent.post(`${url}?_csrf=${encodeURIComponent(token)}`);
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) req = req.field(k, item);
    else req = req.field(k, String(v));
  }
  for (const f of files) req = req.attach('attachments', f.bytes, { filename: f.name, contentType: f.type ?? 'application/octet-stream' });
  return req;
}

export function idFromLocation(location: string | undefined): string {
  const m = /\/practices\/([a-f0-9]{24})$/.exec(location ?? '');
  if (!m) throw new Error(`not a practice location: ${location}`);
  return m[1]!;
}

/** The names in the app's file store (disk or GridFS). */
export function storedNames(t: { ctx: { files: { list(): Promise<string[]> } } }): Promise<string[]> {
  return t.ctx.files.list();
}

export function tempFilesOnDisk(uploadDir: string): string[] {
  const dir = path.join(uploadDir, 'tmp');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Temp files go when the response closes: wait for it without asserting any timing. */
export async function tempDrained(uploadDir: string): Promise<string[]> {
  for (let i = 0; i < 100 && tempFilesOnDisk(uploadDir).length; i++) await new Promise((r) => setTimeout(r, 20));
  return tempFilesOnDisk(uploadDir);
}
