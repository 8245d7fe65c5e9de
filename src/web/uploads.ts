/**
 * The portal's one upload wrapper: every file upload (practice documents, fair brochures...) goes
 * through here. What it guarantees:
 *
 * - multer writes parts to UPLOAD_DIR/tmp under random names, with limits: at most `maxFiles`
 *   (≤ 5) files of at most 10 MB, bounded fields and parts;
 * - the type is sniffed from the content (magic-bytes.js), never taken from the name or the
 *   client's Content-Type: PDF, DOCX/XLSX/PPTX (a zip whose entries are an OOXML package), PNG and
 *   JPEG only; empty files are refused;
 * - original names are kept (UTF-8, Chinese included) but cleaned — no control or bidi characters,
 *   no directories — and never used as paths;
 * - temp files are removed when the request ends, whatever happened; a file is in the file store
 *   (`ctx.files`: UPLOAD_DIR/files or GridFS, see files.ts) only once `persistUploads` put it
 *   there (call it when the record is saved);
 * - a problem with the files never becomes a 500: the route gets `req.uploads.error` (a message key
 *   and 413 or 422) and shows it beside the file field with the rest of the form kept.
 *
 * In a module:
 *
 *   // the form: <form method="post" enctype="multipart/form-data"
 *   //                 action="/practices/new?_csrf=<%= csrfToken() %>">   (CSRF runs before parsing)
 *   //           ...text fields first, the file input last...
 *   router.post('/practices/new', requireUser, uploadMiddleware(ctx, { field: 'attachments', maxFiles: 5 }),
 *     async (req, res) => {
 *       const { files, error } = uploadsOf(req);     // error → render the form with 422/413
 *       ...validate the text fields (req.body)...
 *       const stored = await persistUploads(ctx, files); // → StoredFileRef[] kept in the record
 *       try { await Practice.create({ ..., attachments: stored }); }
 *       catch (err) { await removeStoredFiles(ctx, stored); throw err; } // nothing half-stored
 *     });
 *   // downloads, after the route has checked the reader may see the record:
 *   await sendStoredFile(ctx, res, ref, { inline: isImage(ref) && req.query.inline === '1' });
 *
 * Deleting: update the record first, then `removeStored(ctx, ref)`, so no record ever points at
 * a missing file.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { filetypeinfo } from 'magic-bytes.js';
import type { MessageRef } from '../kernel';
import { NotFoundError } from '../kernel';
import { STORED_NAME, type FileStore } from './files';
import { MULTIPART_LIMITS, markMultipartParser, normaliseFormBody } from './body';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 5;

export const FILE_KINDS = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'] },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extensions: ['pptx'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
} as const;
export type FileKind = keyof typeof FILE_KINDS;
export const ACCEPT_ATTRIBUTE = '.pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg';

/** A file of this request, sniffed and accepted, still in the temp folder. */
export interface UploadedFile {
  tempPath: string;
  originalName: string;
  size: number;
  kind: FileKind;
  mime: string;
}

/** What a record keeps about a stored file. `storedName` is random and the only name on disk. */
export interface StoredFileRef {
  storedName: string;
  originalName: string;
  size: number;
  kind: FileKind;
  mime: string;
}

export interface UploadError extends MessageRef {
  status: 400 | 413 | 422;
}

export interface RequestUploads {
  files: UploadedFile[];
  /** Why the files were refused (all of them: a request is taken whole or not at all). */
  error: UploadError | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    uploads?: RequestUploads;
  }
}

/** What the temp side needs: UPLOAD_DIR (every upload is sniffed in UPLOAD_DIR/tmp first). */
interface UploadContext {
  config: { uploadDir: string };
}

/** What storing, removing and sending need: the file store (ctx.files). */
export interface StoreContext {
  files: FileStore;
}

export function tempDir(ctx: UploadContext): string {
  return path.join(ctx.config.uploadDir, 'tmp');
}

export function isImage(ref: { kind: FileKind }): boolean {
  return ref.kind === 'png' || ref.kind === 'jpeg';
}

/** The files (and any refusal) of this request; empty when the middleware did not run. */
export function uploadsOf(req: Request): RequestUploads {
  return req.uploads ?? { files: [], error: null };
}

/**
 * A safe display name: Unicode NFC, no control/format characters (incl. bidi overrides), no
 * directories, no leading dots, at most 150 characters, ending with an extension of its real type.
 */
export function cleanFileName(raw: string, kind: FileKind): string {
  let name = String(raw ?? '').normalize('NFC');
  name = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(/[<>:"|?*]/g, '_').replace(/\s+/g, ' ').trim().replace(/^[.\s]+/, '');
  const extensions: readonly string[] = FILE_KINDS[kind].extensions;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  let base = dot > 0 ? name.slice(0, dot) : name;
  if (!extensions.includes(ext)) base = name; // keep what was there ("report.exe" → "report.exe.pdf")
  base = Array.from(base).slice(0, 140).join('').replace(/[.\s]+$/, '');
  if (!base) base = 'file';
  return `${base}.${extensions.includes(ext) ? ext : extensions[0]}`;
}

async function readAt(handle: import('node:fs/promises').FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, length));
  const { bytesRead } = await handle.read(buf, 0, buf.length, position);
  return buf.subarray(0, bytesRead);
}

/** The entry names of a zip file, from its central directory (null when it is not a readable zip). */
async function zipEntryNames(handle: import('node:fs/promises').FileHandle, size: number): Promise<string[] | null> {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(handle, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset + cdSize > size || entries === 0 || entries === 0xffff) return null;
  const cd = await readAt(handle, cdOffset, cdSize);
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) return null;
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    names.push(cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** The kind of a file from its content, or null when it is none of the accepted kinds. */
export async function sniffFile(filePath: string): Promise<FileKind | null> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return null;
    const head = await readAt(handle, 0, 4100);
    const guesses = filetypeinfo(head).map((g) => g.typename);
    if (guesses.includes('pdf')) return 'pdf';
    if (guesses.includes('png')) return 'png';
    if (guesses.includes('jpg') || guesses.includes('jpeg')) return 'jpeg';
    if (guesses.includes('zip')) {
      const names = await zipEntryNames(handle, size);
      if (!names || !names.includes('[Content_Types].xml')) return null;
      if (names.some((n) => n.startsWith('word/'))) return 'docx';
      if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
      if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
    }
    return null;
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files older than maxAgeMs: what a crashed or killed process left behind (a live
 * request removes its own), and the file store's incomplete files of the same age (GridFS chunks
 * of an upload cut off by a crash). Called at start-up; returns how many were removed.
 */
export async function sweepStaleTemp(ctx: UploadContext & Partial<StoreContext>, now: Date, maxAgeMs = 60 * 60 * 1000): Promise<number> {
  const incomplete = ctx.files ? await ctx.files.sweepIncomplete(new Date(now.getTime() - maxAgeMs)) : 0;
  const dir = tempDir(ctx);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return incomplete;
  }
  let removed = incomplete;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const info = await stat(file);
      if (info.isFile() && now.getTime() - info.mtimeMs > maxAgeMs) {
        await unlink(file);
        removed++;
      }
    } catch {
      // already gone
    }
  }
  return removed;
}

/** Removes temp files (quietly: a file already moved or removed is fine). */
export async function discardUploads(files: { tempPath: string }[]): Promise<void> {
  await Promise.all(files.map((f) => unlink(f.tempPath).catch(() => undefined)));
}

const MULTER_ERRORS: Record<string, UploadError> = {
  LIMIT_FILE_SIZE: { key: 'uploads:errors.tooLarge', status: 413, params: { max: MAX_FILE_BYTES / 1024 / 1024 } },
  LIMIT_FILE_COUNT: { key: 'uploads:errors.tooMany', status: 422, params: { max: MAX_FILES } },
  LIMIT_UNEXPECTED_FILE: { key: 'uploads:errors.tooMany', status: 422, params: { max: MAX_FILES } },
  LIMIT_PART_COUNT: { key: 'uploads:errors.malformed', status: 413 },
  LIMIT_FIELD_COUNT: { key: 'uploads:errors.malformed', status: 413 },
  LIMIT_FIELD_VALUE: { key: 'uploads:errors.fieldTooLong', status: 413 },
  LIMIT_FIELD_KEY: { key: 'uploads:errors.malformed', status: 422 },
  // A field name with brackets, a part without a name: not something the portal's forms send.
  LIMIT_FIELD_NESTING: { key: 'uploads:errors.unknownField', status: 400 },
  LIMIT_FIELD_ARRAY_INDEX: { key: 'uploads:errors.unknownField', status: 400 },
  MISSING_FIELD_NAME: { key: 'uploads:errors.unknownField', status: 400 },
  INVALID_FIELD_NAME: { key: 'uploads:errors.unknownField', status: 400 },
};

/**
 * Parses a multipart form: text fields into req.body, the files of `field` into req.uploads.
 * Always calls next() without an error for problems with the upload itself (see req.uploads.error).
 */
export function uploadMiddleware(ctx: UploadContext, opts: { field: string; maxFiles?: number }): RequestHandler {
  const maxFiles = Math.min(MAX_FILES, Math.max(1, opts.maxFiles ?? MAX_FILES));
  const tmp = tempDir(ctx);
  mkdirSync(tmp, { recursive: true });
  const parser = multer({
    storage: multer.diskStorage({
      destination: tmp,
      filename: (_req, _file, cb) => cb(null, randomBytes(16).toString('hex')),
    }),
    defParamCharset: 'utf8', // browsers send UTF-8 names; busboy would read them as latin1
    limits: { ...MULTIPART_LIMITS, fileSize: MAX_FILE_BYTES, files: maxFiles, parts: maxFiles + MULTIPART_LIMITS.fields },
  }).array(opts.field, maxFiles);

  return markMultipartParser((req: Request, res: Response, next: NextFunction) => {
    const state: RequestUploads = { files: [], error: null };
    req.uploads = state;
    // Whatever happens next, nothing of this request stays in the temp folder.
    res.on('close', () => {
      void discardUploads(state.files);
      const pending = req.files;
      if (Array.isArray(pending)) void discardUploads(pending.map((f) => ({ tempPath: f.path })));
    });
    parser(req, res, (err: unknown) => {
      normaliseFormBody(req.body);
      if (err) {
        const isMulter = err instanceof multer.MulterError;
        const known = isMulter ? MULTER_ERRORS[err.code] : undefined;
        // A failing disk is the portal's problem (500); anything else busboy could not parse
        // (a part header with control characters, a cut-off body) is a malformed request.
        if (!known && (isMulter || (typeof err === 'object' && err !== null && 'syscall' in err))) return next(err);
        if (!known) {
          state.error = { key: 'uploads:errors.malformed', status: 400 };
          req.body ??= {};
          return next();
        }
        state.error = known.key === 'uploads:errors.tooMany' ? { ...known, params: { max: maxFiles } } : known;
        req.body ??= {};
        return next();
      }
      const received = (Array.isArray(req.files) ? req.files : []) as Express.Multer.File[];
      void (async () => {
        const accepted: UploadedFile[] = [];
        let error: UploadError | null = null;
        for (const file of received) {
          if (file.size === 0) {
            error ??= { key: 'uploads:errors.empty', status: 422, params: { name: cleanDisplay(file.originalname) } };
            continue;
          }
          const kind = await sniffFile(file.path);
          if (!kind) {
            error ??= { key: 'uploads:errors.type', status: 422, params: { name: cleanDisplay(file.originalname) } };
            continue;
          }
          accepted.push({ tempPath: file.path, originalName: cleanFileName(file.originalname, kind), size: file.size, kind, mime: FILE_KINDS[kind].mime });
        }
        if (error) {
          await discardUploads(received.map((f) => ({ tempPath: f.path })));
          state.error = error;
        } else {
          state.files = accepted;
        }
        next();
      })().catch(next);
    });
  });
}

/** A name safe to show in an error message (never used for anything else). */
function cleanDisplay(raw: string): string {
  return Array.from(String(raw ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').split(/[/\\]/).pop() ?? '').slice(0, 80).join('');
}

/**
 * Hands accepted files from the temp folder to the file store (ctx.files: disk or GridFS) under
 * new random names. On a failure half-way, the ones already stored are removed again, so it
 * stores all or nothing.
 */
export async function persistUploads(ctx: StoreContext, files: UploadedFile[]): Promise<StoredFileRef[]> {
  const stored: StoredFileRef[] = [];
  try {
    for (const file of files) {
      const storedName = randomBytes(16).toString('hex');
      // Listed before the put, so a put that failed half-way (GridFS chunks) is cleaned up too.
      stored.push({ storedName, originalName: file.originalName, size: file.size, kind: file.kind, mime: file.mime });
      await ctx.files.put(storedName, file.tempPath);
    }
    return stored;
  } catch (err) {
    await removeStoredFiles(ctx, stored);
    throw err;
  }
}

/** Removes a stored file (quietly if it is already gone). */
export async function removeStored(ctx: StoreContext, ref: Pick<StoredFileRef, 'storedName'>): Promise<void> {
  if (!STORED_NAME.test(ref.storedName)) return;
  await ctx.files.remove(ref.storedName).catch(() => undefined);
}

export async function removeStoredFiles(ctx: StoreContext, refs: Pick<StoredFileRef, 'storedName'>[]): Promise<void> {
  await Promise.all(refs.map((r) => removeStored(ctx, r)));
}

/** Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987). */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Streams a stored file from the file store. Call it only after the route has checked that the
 * reader may see the record holding `ref`. Images may be shown inline; every other kind is always
 * a download.
 */
export async function sendStoredFile(ctx: StoreContext, res: Response, ref: StoredFileRef, opts: { inline?: boolean } = {}): Promise<void> {
  const opened = await ctx.files.open(ref.storedName);
  if (!opened) throw new NotFoundError();
  const inline = opts.inline === true && isImage(ref);
  res.status(200);
  res.set({
    'Content-Type': FILE_KINDS[ref.kind].mime,
    'Content-Length': String(opened.size),
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', ref.originalName),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox",
    'Cache-Control': 'private, max-age=300',
  });
  await pipeline(opened.stream, res);
}
