/**
 * The shared upload wrapper on a small Express app: content sniffing, names, limits, temp files,
 * storing and downloading. Every refusal is checked in the response, in the temp folder and in
 * the file store; the storing and downloading parts run against both stores (disk and GridFS on
 * the embedded database).
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import {
  cleanFileName,
  contentDisposition,
  persistUploads,
  sendStoredFile,
  sniffFile,
  sweepStaleTemp,
  tempDir,
  uploadMiddleware,
  uploadsOf,
  type StoredFileRef,
} from '../../src/web/uploads';
import { NotFoundError } from '../../src/kernel';
import { createFileStore, type FileStore } from '../../src/web/files';
import { FILE_STORES } from '../helpers/app';
import { testDbUri } from '../helpers/db';
import { docxBytes, exeBytes, jpegBytes, pdfBytes, plainZipBytes, pngBytes, pptxBytes, xlsxBytes } from '../fixtures/files';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'uploads-test-'));
  await mongoose.connect(testDbUri());
});
afterAll(async () => {
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('sniffFile', () => {
  const kindOf = async (bytes: Buffer) => {
    const p = path.join(dir, `sniff-${Math.random()}`);
    writeFileSync(p, bytes);
    return sniffFile(p);
  };
  it('recognises the accepted kinds by content', async () => {
    expect(await kindOf(pdfBytes())).toBe('pdf');
    expect(await kindOf(pngBytes())).toBe('png');
    expect(await kindOf(jpegBytes())).toBe('jpeg');
    expect(await kindOf(docxBytes())).toBe('docx');
    expect(await kindOf(xlsxBytes())).toBe('xlsx');
    expect(await kindOf(pptxBytes())).toBe('pptx');
  });
  it('refuses executables, plain zips, text and empty files', async () => {
    expect(await kindOf(exeBytes())).toBeNull();
    expect(await kindOf(plainZipBytes())).toBeNull();
    expect(await kindOf(Buffer.from('<html><script>alert(1)</script></html>'))).toBeNull();
    expect(await kindOf(Buffer.alloc(0))).toBeNull();
  });
});

describe('cleanFileName', () => {
  it('keeps Chinese names and the real extension', () => {
    expect(cleanFileName('中小企业创新报告.pdf', 'pdf')).toBe('中小企业创新报告.pdf');
    expect(cleanFileName('photo.JPG', 'jpeg')).toBe('photo.JPG'.slice(0, 6) + 'jpg');
  });
  it('drops directories, control and bidi characters and leading dots', () => {
    expect(cleanFileName('../../etc/passwd', 'pdf')).toBe('passwd.pdf');
    expect(cleanFileName('..\\..\\windows\\win.ini', 'pdf')).toBe('win.ini.pdf');
    expect(cleanFileName('evil\u0000\u0007\r\nname\u202Efdp.exe', 'pdf')).toBe('evilnamefdp.exe.pdf');
    expect(cleanFileName('...', 'png')).toBe('file.png');
    expect(cleanFileName('.htaccess', 'pdf')).toBe('htaccess.pdf');
  });
  it('bounds the length', () => {
    expect(Array.from(cleanFileName('长'.repeat(500) + '.pdf', 'pdf')).length).toBeLessThanOrEqual(150);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('attachment', '报告 "final".pdf')).toBe(
      `attachment; filename="__ _final_.pdf"; filename*=UTF-8''${encodeURIComponent('报告 "final".pdf')}`,
    );
  });
});

describe.each(FILE_STORES)('on the %s store', (store) => {
let ctx: { config: { uploadDir: string }; files: FileStore };
let app: Express;
const saved: StoredFileRef[] = [];

beforeAll(() => {
  const uploadDir = path.join(dir, store);
  ctx = { config: { uploadDir }, files: createFileStore({ fileStore: store, uploadDir }, mongoose.connection) };
  app = express();
  app.post('/upload', uploadMiddleware(ctx, { field: 'files', maxFiles: 5 }), async (req, res) => {
    const { files, error } = uploadsOf(req);
    if (error) return res.status(error.status).json({ error: error.key, params: error.params, body: req.body });
    if (req.body?.fail === 'yes') return res.status(422).json({ error: 'form' }); // the form had other errors
    const stored = await persistUploads(ctx, files);
    saved.push(...stored);
    res.json({ stored, body: req.body });
  });
  app.get('/files/:i', async (req, res) => {
    const ref = saved[Number(req.params.i)];
    if (!ref) return res.sendStatus(404);
    await sendStoredFile(ctx, res, ref, { inline: req.query.inline === '1' });
  });
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err instanceof NotFoundError) return res.status(404).json({ error: 'not found' });
    res.status(500).json({ error: String(err) });
  });
});

const tmpFiles = () => readdirSync(tempDir(ctx));
const storedFiles = () => ctx.files.list();

describe('uploadMiddleware', () => {
  it('accepts good files, keeps UTF-8 names and the text fields, and stores under random names', async () => {
    const res = await request(app)
      .post('/upload')
      .field('title', '中小企业')
      .attach('files', pdfBytes(), { filename: '中小企业报告.pdf', contentType: 'application/octet-stream' })
      .attach('files', pngBytes(), { filename: 'chart.png', contentType: 'image/png' })
      .attach('files', docxBytes(), { filename: 'plan.docx' });
    expect(res.status).toBe(200);
    expect(res.body.body.title).toBe('中小企业');
    const stored = res.body.stored as StoredFileRef[];
    expect(stored.map((s) => [s.originalName, s.kind])).toEqual([
      ['中小企业报告.pdf', 'pdf'],
      ['chart.png', 'png'],
      ['plan.docx', 'docx'],
    ]);
    for (const s of stored) expect(s.storedName).toMatch(/^[a-f0-9]{32}$/);
    expect((await storedFiles())).toEqual(expect.arrayContaining(stored.map((s) => s.storedName)));
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses an .exe renamed to .pdf, and removes every file of the request', async () => {
    const before = (await storedFiles()).length;
    const res = await request(app)
      .post('/upload')
      .attach('files', pdfBytes(), { filename: 'good.pdf' })
      .attach('files', exeBytes(), { filename: 'report.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('uploads:errors.type');
    expect(res.body.params.name).toBe('report.pdf');
    expect(tmpFiles()).toEqual([]);
    expect((await storedFiles()).length).toBe(before);
  });

  it('refuses an empty file', async () => {
    const res = await request(app).post('/upload').attach('files', Buffer.alloc(0), { filename: 'empty.pdf' });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('uploads:errors.empty');
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses a file over 10 MB with 413', async () => {
    const big = Buffer.concat([pdfBytes(), Buffer.alloc(10 * 1024 * 1024 + 10, 0x20)]);
    const res = await request(app).post('/upload').field('title', 'kept').attach('files', big, { filename: 'big.pdf' });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('uploads:errors.tooLarge');
    expect(res.body.body.title).toBe('kept');
    expect(tmpFiles()).toEqual([]);
  });

  it('refuses more than the allowed number of files', async () => {
    let req = request(app).post('/upload');
    for (let i = 0; i < 20; i++) req = req.attach('files', pdfBytes(), { filename: `f${i}.pdf` });
    const res = await req;
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('uploads:errors.tooMany');
    expect(res.body.params.max).toBe(5);
    expect(tmpFiles()).toEqual([]);
  });

  it('cleans hostile names and never uses them as paths', async () => {
    const res = await request(app).post('/upload').attach('files', pdfBytes(), { filename: '../../etc/passwd' }).attach('files', pngBytes(), { filename: 'a\u200Bb\u202Ec.png' });
    expect(res.status).toBe(200);
    expect(res.body.stored.map((s: StoredFileRef) => s.originalName)).toEqual(['passwd.pdf', 'abc.png']);
    // Nothing named after the client's file anywhere under UPLOAD_DIR.
    expect(readdirSync(ctx.config.uploadDir).every((n) => n === 'files' || n === 'tmp')).toBe(true);
  });

  it('refuses a part header with raw control characters as malformed, storing nothing', async () => {
    const before = (await storedFiles()).length;
    const res = await request(app).post('/upload').attach('files', pdfBytes(), { filename: 'a\u0001b.pdf' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('uploads:errors.malformed');
    expect(tmpFiles()).toEqual([]);
    expect((await storedFiles()).length).toBe(before);
  });

  it('removes temp files when the route refuses the form after the upload', async () => {
    const before = (await storedFiles()).length;
    const res = await request(app).post('/upload').field('fail', 'yes').attach('files', pdfBytes(), { filename: 'x.pdf' });
    expect(res.status).toBe(422);
    // 'close' runs right after the response: give the unlink a moment without asserting time.
    for (let i = 0; i < 50 && tmpFiles().length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tmpFiles()).toEqual([]);
    expect((await storedFiles()).length).toBe(before);
  });

  it('ignores an empty file input (no file chosen)', async () => {
    const res = await request(app).post('/upload').field('title', 'no files');
    expect(res.status).toBe(200);
    expect(res.body.stored).toEqual([]);
  });
});

describe('incomplete files', () => {
  it('a file cut off while being stored is swept at start-up once old enough; complete files stay', async () => {
    const kept = await storedFiles();
    expect(kept.length).toBeGreaterThan(0);
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    let orphan: mongoose.Types.ObjectId | null = null;
    if (store === 'gridfs') {
      // What a process killed in the middle of a put leaves: chunks, no file document.
      orphan = mongoose.Types.ObjectId.createFromTime(Math.floor(hourAgo.getTime() / 1000));
      await mongoose.connection.db!.collection('uploads.chunks').insertOne({ files_id: orphan, n: 0, data: Buffer.from('half') });
    }
    const fresh = new mongoose.Types.ObjectId();
    if (store === 'gridfs') await mongoose.connection.db!.collection('uploads.chunks').insertOne({ files_id: fresh, n: 0, data: Buffer.from('in flight') });
    expect(await sweepStaleTemp(ctx, new Date())).toBe(store === 'gridfs' ? 1 : 0);
    expect(await storedFiles()).toEqual(kept);
    if (store === 'gridfs') {
      const chunks = mongoose.connection.db!.collection('uploads.chunks');
      expect(await chunks.countDocuments({ files_id: orphan })).toBe(0);
      expect(await chunks.countDocuments({ files_id: fresh })).toBe(1); // an upload under way now is left alone
      await chunks.deleteMany({ files_id: fresh });
    }
  });
});

describe('sendStoredFile', () => {
  it('sends an attachment with its type, a UTF-8 name and nosniff', async () => {
    const i = saved.findIndex((s) => s.kind === 'pdf');
    const res = await request(app).get(`/files/${i}`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('中小企业报告.pdf')}`);
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
    expect(Number(res.headers['content-length'])).toBe(saved[i].size);
    expect(Buffer.compare(res.body as Buffer, pdfBytes())).toBe(0);
  });
  it('answers 404 for a stored name that is not in the store', async () => {
    saved.push({ ...saved[0], storedName: 'f'.repeat(32) });
    const res = await request(app).get(`/files/${saved.length - 1}`);
    expect(res.status).toBe(404);
  });
  it('shows images inline only when asked, never other kinds', async () => {
    const png = saved.findIndex((s) => s.kind === 'png');
    const pdf = saved.findIndex((s) => s.kind === 'pdf');
    expect((await request(app).get(`/files/${png}?inline=1`)).headers['content-disposition']).toMatch(/^inline;/);
    expect((await request(app).get(`/files/${pdf}?inline=1`)).headers['content-disposition']).toMatch(/^attachment;/);
  });
});

});

describe('sweepStaleTemp', () => {
  const ctx = { get config() { return { uploadDir: path.join(dir, 'sweep') }; } };
  const tmpFiles = () => readdirSync(tempDir(ctx));
  it('removes temp files left behind by a crash, keeping fresh ones', async () => {
    const old = path.join(tempDir(ctx), 'left-by-crash');
    const fresh = path.join(tempDir(ctx), 'in-flight');
    uploadMiddleware(ctx, { field: 'files' }); // makes the temp folder
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'y');
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(old, past, past);
    expect(await sweepStaleTemp(ctx, new Date())).toBe(1);
    expect(tmpFiles()).toEqual(['in-flight']);
    rmSync(fresh);
  });
});
