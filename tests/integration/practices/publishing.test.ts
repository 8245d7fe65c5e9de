/**
 * Publishing over HTTP: create (draft and published) with documents, show, edit, delete; who may
 * post which kind; nobody edits another's practice; hostile Markdown is neutralised.
 */
import { FILE_STORES, ORGANIZER, createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent, postForm } from '../../helpers/http';
import { Practice } from '../../../src/modules/practices/model';
import { docxBytes, pdfBytes, pngBytes } from '../../fixtures/files';
import { GOOD_PRACTICE, storedNames, idFromLocation, postPractice, tempDrained } from './helpers';


describe.each(FILE_STORES)('with files on the %s store', (store) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { FILE_STORE: store } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function agentFor(role: 'member' | 'liaison' | 'organizer', member = 'DE') {
    const user = await makeUser({ role, member });
    const agent = newAgent(t.app);
    await login(agent, user.email, user.password);
    return { user, agent };
  }

  describe('publishing a practice', () => {
    it('a member publishes a business practice with a PDF, a DOCX and an image; anyone reads it', async () => {
      const { agent, user } = await agentFor('member', 'DE');
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [
        { bytes: pdfBytes(), name: '报告.pdf' },
        { bytes: docxBytes(), name: 'plan.docx' },
        { bytes: pngBytes(), name: 'chart.png' },
      ]);
      expect(res.status).toBe(303);
      const id = idFromLocation(res.headers.location);
      const stored = await Practice.findById(id).lean();
      expect(stored).toMatchObject({ kind: 'business', status: 'published', member: 'DE', themes: ['innovation', 'clusters'] });
      expect(stored!.attachments.map((a) => [a.originalName, a.kind])).toEqual([
        ['报告.pdf', 'pdf'],
        ['plan.docx', 'docx'],
        ['chart.png', 'png'],
      ]);
      expect(await storedNames(t)).toEqual(expect.arrayContaining(stored!.attachments.map((a) => a.storedName)));
      expect(String(stored!.author)).toBe(user.id);

      const page = await newAgent(t.app).get(`/practices/${id}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Cluster innovation vouchers for small firms');
      expect(page.text).toContain('<strong>cluster</strong>');
      expect(page.text).toContain('报告.pdf');
      expect(page.text).toContain(`${user.name} Ltd`); // the author's company

      const pdfId = String(stored!.attachments[0]!._id);
      const file = await newAgent(t.app).get(`/practices/${id}/files/${pdfId}`).buffer(true);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(file.headers['content-disposition']).toContain("filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf");
      expect(Buffer.compare(file.body as Buffer, pdfBytes())).toBe(0);
      const img = await newAgent(t.app).get(`/practices/${id}/files/${String(stored!.attachments[2]!._id)}?inline=1`);
      expect(img.headers['content-disposition']).toMatch(/^inline;/);
    });

    it('a liaison publishes a policy initiative filed under its own member', async () => {
      const { agent } = await agentFor('liaison', 'CN');
      const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, kind: 'policy', member: 'FR', title: '中小企业促进政策' });
      expect(res.status).toBe(303);
      const stored = await Practice.findById(idFromLocation(res.headers.location)).lean();
      expect(stored).toMatchObject({ kind: 'policy', member: 'CN', authorRole: 'liaison' });
    });

    it('a member may not post a policy initiative, a liaison not a business practice', async () => {
      const { agent: member } = await agentFor('member');
      const before = await Practice.countDocuments();
      const res = await postPractice(member, '/practices/new', { ...GOOD_PRACTICE, kind: 'policy' }, [{ bytes: pdfBytes(), name: 'a.pdf' }]);
      expect(res.status).toBe(422);
      expect(res.text).toContain('policy initiatives come from liaison officials');
      expect(res.text).toContain('value="Cluster innovation vouchers for small firms"'); // input kept
      const { agent: liaison } = await agentFor('liaison');
      const res2 = await postPractice(liaison, '/practices/new', { ...GOOD_PRACTICE, kind: 'business' });
      expect(res2.status).toBe(422);
      expect(await Practice.countDocuments()).toBe(before);
      expect(await tempDrained(t.config.uploadDir)).toEqual([]);
    });

    it('the organizer files a policy initiative under the member it chooses', async () => {
      const agent = newAgent(t.app);
      await login(agent, ORGANIZER.email, ORGANIZER.password);
      const missing = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, kind: 'policy' });
      expect(missing.status).toBe(422);
      const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, kind: 'policy', member: 'JP' });
      expect(res.status).toBe(303);
      expect(await Practice.findById(idFromLocation(res.headers.location)).lean()).toMatchObject({ member: 'JP', kind: 'policy' });
    });

    it('refuses an unknown theme, no theme and missing fields with errors beside the fields', async () => {
      const { agent } = await agentFor('member');
      const before = await Practice.countDocuments();
      const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, themes: ['innovation', 'astrology'] });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Choose themes from the list.');
      const none = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, themes: [], title: '' });
      expect(none.status).toBe(422);
      expect(none.text).toContain('Choose at least one theme.');
      expect(none.text).toContain('id="f-title-error"');
      expect(await Practice.countDocuments()).toBe(before);
    });

    it('neutralises hostile Markdown: no script, no javascript: link, no event handler', async () => {
      const { agent } = await agentFor('member');
      const body = 'Hello <script>alert(1)</script>\n\n[click](javascript:alert(2)) <a href="JaVaScRiPt:alert(3)" onclick="alert(4)">x</a> <img src=x onerror="alert(5)">\n\n<div onmouseover="alert(6)">hover</div>';
      const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, body });
      expect(res.status).toBe(303);
      const id = idFromLocation(res.headers.location);
      const page = await newAgent(t.app).get(`/practices/${id}`);
      const bodyHtml = page.text.slice(page.text.indexOf('practice-body'), page.text.indexOf('</aside>'));
      expect(bodyHtml).not.toMatch(/<script/i);
      expect(bodyHtml).not.toMatch(/javascript:/i);
      expect(bodyHtml).not.toMatch(/\son\w+=/i);
      expect(bodyHtml).not.toMatch(/<img/i);
      expect(bodyHtml).toContain('hover');
    });

    it('keeps a draft private until it is published', async () => {
      const { agent } = await agentFor('member');
      const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, title: 'Draft export handbook', intent: 'draft' });
      expect(res.status).toBe(303);
      const id = idFromLocation(res.headers.location);
      expect((await agent.get(`/practices/${id}`)).status).toBe(200);
      expect((await newAgent(t.app).get(`/practices/${id}`)).status).toBe(404);
      expect((await newAgent(t.app).get('/practices')).text).not.toContain('Draft export handbook');
      const mine = await agent.get('/practices/mine');
      expect(mine.text).toContain('Draft export handbook');
      const pub = await postPractice(agent, `/practices/${id}/edit`, { ...GOOD_PRACTICE, title: 'Draft export handbook', intent: 'publish' });
      expect(pub.status).toBe(303);
      expect((await newAgent(t.app).get(`/practices/${id}`)).status).toBe(200);
    });
  });

  describe('editing and deleting', () => {
    it('the author edits text, removes one file and adds another; the removed file leaves the disk', async () => {
      const { agent } = await agentFor('member');
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [
        { bytes: pdfBytes(), name: 'one.pdf' },
        { bytes: pngBytes(), name: 'two.png' },
      ]);
      const id = idFromLocation(res.headers.location);
      const before = (await Practice.findById(id).lean())!;
      const removed = before.attachments[0]!;
      const edit = await postPractice(agent, `/practices/${id}/edit`, { ...GOOD_PRACTICE, title: 'Edited title', removeAttachments: [String(removed._id)] }, [{ bytes: docxBytes(), name: 'three.docx' }]);
      expect(edit.status).toBe(303);
      const after = (await Practice.findById(id).lean())!;
      expect(after.title).toBe('Edited title');
      expect(after.attachments.map((a) => a.originalName)).toEqual(['two.png', 'three.docx']);
      const disk = await storedNames(t);
      expect(disk).not.toContain(removed.storedName);
      for (const a of after.attachments) expect(disk).toContain(a.storedName);
    });

    it('refuses more than five files in total on edit, storing nothing', async () => {
      const { agent } = await agentFor('member');
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [1, 2, 3, 4].map((i) => ({ bytes: pdfBytes(), name: `f${i}.pdf` })));
      const id = idFromLocation(res.headers.location);
      const disk = (await storedNames(t)).length;
      const edit = await postPractice(agent, `/practices/${id}/edit`, GOOD_PRACTICE, [{ bytes: pdfBytes(), name: 'a.pdf' }, { bytes: pdfBytes(), name: 'b.pdf' }]);
      expect(edit.status).toBe(422);
      expect(edit.text).toContain('you may add 1 more');
      expect((await Practice.findById(id).lean())!.attachments).toHaveLength(4);
      expect((await storedNames(t)).length).toBe(disk);
      expect(await tempDrained(t.config.uploadDir)).toEqual([]);
    });

    it("nobody edits or deletes another's practice: a foreign id is a 404, and nothing is stored", async () => {
      const { agent: owner } = await agentFor('member');
      const res = await postPractice(owner, '/practices/new', GOOD_PRACTICE);
      const id = idFromLocation(res.headers.location);
      const { agent: other } = await agentFor('member');
      expect((await other.get(`/practices/${id}/edit`)).status).toBe(404);
      const disk = (await storedNames(t)).length;
      const edit = await postPractice(other, `/practices/${id}/edit`, { ...GOOD_PRACTICE, title: 'Hijacked' }, [{ bytes: pdfBytes(), name: 'x.pdf' }]);
      expect(edit.status).toBe(404);
      expect((await Practice.findById(id).lean())!.title).toBe(GOOD_PRACTICE.title);
      expect((await storedNames(t)).length).toBe(disk);
      expect(await tempDrained(t.config.uploadDir)).toEqual([]);
      const del = await postForm(other, `/practices/${id}/delete`, {}, '/practices/new');
      expect(del.status).toBe(404);
      const org = newAgent(t.app);
      await login(org, ORGANIZER.email, ORGANIZER.password);
      expect((await org.get(`/practices/${id}/edit`)).status).toBe(404);
      expect((await other.get('/practices/not-an-id/edit')).status).toBe(404);
      expect((await other.get('/practices/000000000000000000000000')).status).toBe(404);
    });

    it('the author deletes a practice and its files', async () => {
      const { agent } = await agentFor('member');
      const res = await postPractice(agent, '/practices/new', GOOD_PRACTICE, [{ bytes: pdfBytes(), name: 'gone.pdf' }]);
      const id = idFromLocation(res.headers.location);
      const stored = (await Practice.findById(id).lean())!.attachments[0]!.storedName;
      expect((await agent.get(`/practices/${id}/delete`)).status).toBe(200);
      const del = await postForm(agent, `/practices/${id}/delete`, {}, '/practices/new');
      expect(del.status).toBe(303);
      expect(await Practice.findById(id).lean()).toBeNull();
      expect(await storedNames(t)).not.toContain(stored);
      expect((await newAgent(t.app).get(`/practices/${id}`)).status).toBe(404);
    });

    it('sends anonymous visitors to log in before sharing', async () => {
      const res = await newAgent(t.app).get('/practices/new');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Fpractices%2Fnew');
    });
  });
});
