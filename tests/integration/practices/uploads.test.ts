/**
 * Every bad upload of the issue, over HTTP on the practice form: refused with a clear message
 * beside the file field and the rest of the input kept, and nothing half-stored — no record, no
 * file in UPLOAD_DIR/files, no temp file left.
 */
import { FILE_STORES, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, type Agent } from '../../helpers/http';
import { Practice } from '../../../src/modules/practices/model';
import { exeBytes, pdfBytes, plainZipBytes, pngBytes } from '../../fixtures/files';
import { GOOD_PRACTICE, storedNames, idFromLocation, postPractice, tempDrained, type FileToAttach } from './helpers';


describe.each(FILE_STORES)('with files on the %s store', (store) => {
  let t: TestApp;
  let agent: Agent;
  beforeAll(async () => {
    t = await createTestApp({ env: { FILE_STORE: store } });
    const user = await makeUser({ role: 'member' });
    agent = newAgent(t.app);
    await login(agent, user.email, user.password);
  });
  afterAll(async () => {
    await t.close();
  });

  async function expectRefused(files: FileToAttach[], status: number, message: string) {
    const records = await Practice.countDocuments();
    const stored = (await storedNames(t)).length;
    const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, title: 'Refused upload' }, files);
    expect(res.status).toBe(status);
    expect(res.text).toContain('id="f-attachments-error"');
    expect(res.text).toContain(message);
    expect(res.text).toContain('value="Refused upload"'); // the rest of the form is kept
    expect(await Practice.countDocuments()).toBe(records);
    expect((await storedNames(t)).length).toBe(stored);
    expect(await tempDrained(t.config.uploadDir)).toEqual([]);
  }

  describe('bad uploads', () => {
    it('an .exe renamed to .pdf', async () => {
      await expectRefused([{ bytes: pdfBytes(), name: 'fine.pdf' }, { bytes: exeBytes(), name: 'report.pdf', type: 'application/pdf' }], 422, 'its content was checked');
    });

    it('a zip that is not an office document', async () => {
      await expectRefused([{ bytes: plainZipBytes(), name: 'slides.pptx' }], 422, 'its content was checked');
    });

    it('an empty file', async () => {
      await expectRefused([{ bytes: Buffer.alloc(0), name: 'empty.pdf' }], 422, 'is empty');
    });

    it('a 50 MB file', async () => {
      await expectRefused([{ bytes: Buffer.concat([pdfBytes(), Buffer.alloc(50 * 1024 * 1024, 0x20)]), name: 'huge.pdf' }], 413, 'at most 10 MB');
    });

    it('20 files', async () => {
      await expectRefused(Array.from({ length: 20 }, (_, i) => ({ bytes: pdfBytes(), name: `f${i}.pdf` })), 422, 'at most 5 files');
    });

    it('a filename like ../../etc/passwd or with control characters is neutralised, never a path', async () => {
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [
        { bytes: pdfBytes(), name: '../../etc/passwd' },
        { bytes: pngBytes(), name: 'chart\u202Egnp.exe' },
      ]);
      expect(res.status).toBe(303);
      const p = (await Practice.findById(idFromLocation(res.headers.location)).lean())!;
      expect(p.attachments.map((a) => a.originalName)).toEqual(['passwd.pdf', 'chartgnp.exe.png']);
      for (const a of p.attachments) expect(a.storedName).toMatch(/^[a-f0-9]{32}$/);
      expect(await storedNames(t)).toEqual(expect.arrayContaining(p.attachments.map((a) => a.storedName)));
      // A raw control character in the part header is refused as malformed, storing nothing.
      const records = await Practice.countDocuments();
      const bad = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [{ bytes: pdfBytes(), name: 'a\u0001b.pdf' }]);
      expect(bad.status).toBe(400);
      expect(await Practice.countDocuments()).toBe(records);
      expect(await tempDrained(t.config.uploadDir)).toEqual([]);
    });

    it('a multipart post without the CSRF token in the URL is refused before anything is stored', async () => {
      const stored = (await storedNames(t)).length;
      const res = await agent.post('/practices/new').field('title', 'x').attach('attachments', pdfBytes(), 'a.pdf');
      expect(res.status).toBe(403);
      expect((await storedNames(t)).length).toBe(stored);
      expect(await tempDrained(t.config.uploadDir)).toEqual([]);
    });

    it('a download of a file that is not the practice’s is a 404', async () => {
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [{ bytes: pdfBytes(), name: 'a.pdf' }]);
      const id = idFromLocation(res.headers.location);
      expect((await newAgent(t.app).get(`/practices/${id}/files/000000000000000000000000`)).status).toBe(404);
      expect((await newAgent(t.app).get(`/practices/${id}/files/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    });
  });
});

describe('two portal instances on one database', () => {
  it.each(FILE_STORES)('on the %s store, a file stored through one instance is served by the other only with GridFS', async (store) => {
    const first = await createTestApp({ env: { FILE_STORE: store } });
    const second = await createTestApp({ env: { FILE_STORE: store }, sameDatabaseAs: first });
    try {
      expect(second.config.uploadDir).not.toBe(first.config.uploadDir);
      const user = await makeUser({ role: 'member' });
      const author = newAgent(first.app);
      await login(author, user.email, user.password);
      const res = await postPractice(author, '/practices/new', GOOD_PRACTICE, [{ bytes: pdfBytes(), name: '报告.pdf' }]);
      expect(res.status).toBe(303);
      const id = idFromLocation(res.headers.location);
      const p = (await Practice.findById(id).lean())!;
      const url = `/practices/${id}/files/${String(p.attachments[0]!._id)}`;
      // The instance that stored it serves it; the other reads the same record...
      expect((await newAgent(first.app).get(url).buffer(true)).status).toBe(200);
      const fromSecond = await newAgent(second.app).get(url).buffer(true);
      if (store === 'gridfs') {
        // ...and, with the files in the database, the same bytes with the same headers.
        expect(fromSecond.status).toBe(200);
        expect(Buffer.compare(fromSecond.body as Buffer, pdfBytes())).toBe(0);
        expect(fromSecond.headers['content-type']).toBe('application/pdf');
        expect(fromSecond.headers['content-disposition']).toContain(encodeURIComponent('报告.pdf'));
      } else {
        // ...but a local disk is one instance's own: why several instances need GridFS.
        expect(fromSecond.status).toBe(404);
      }
    } finally {
      await second.close();
      await first.close();
    }
  });
});
