/**
 * The practices rules without HTTP: kinds per role, who reads what, Markdown sanitising, list
 * filters, the feed's escaping, and the services against the database (create, edit conflicts,
 * hide/restore, interest once).
 */
import mongoose, { Types } from 'mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Actor } from '../../../src/kernel';
import type { Mailer, MailContent, Recipient } from '../../../src/web/mail';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/kernel';
import { renderMarkdown } from '../../../src/web/markdown';
import { atomFeed } from '../../../src/modules/practices/feed';
import { Practice, type PracticeDoc } from '../../../src/modules/practices/model';
import { PracticeForm } from '../../../src/modules/practices/forms';
import {
  allowedKinds,
  canRead,
  createPractice,
  expressInterest,
  filtersFrom,
  getOwnPractice,
  hidePractice,
  listPractices,
  restorePractice,
} from '../../../src/modules/practices/service';
import { seedAsemMembers } from '../../../src/modules/members/service';
import { makeUser } from '../../helpers/factories';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { diskFileStore } from '../../../src/web/files';

const actor = (role: Actor['role'], id = new Types.ObjectId().toString(), member: string | null = 'DE'): Actor => ({
  id,
  role,
  name: `A ${role}`,
  email: `${id}@example.org`,
  language: 'en',
  member,
  companyId: null,
  createdAt: new Date(0),
});

describe('rules', () => {
  it('gives policy initiatives to officials and business practice to SMEs', () => {
    expect(allowedKinds(actor('member'))).toEqual(['business']);
    expect(allowedKinds(actor('liaison'))).toEqual(['policy']);
    expect(allowedKinds(actor('organizer'))).toEqual(['policy']);
  });

  it('lets everyone read what is published, the author their drafts and hidden ones, the organizer hidden ones', () => {
    const author = actor('member');
    const base = { author: new Types.ObjectId(author.id) };
    expect(canRead(undefined, { ...base, status: 'published', hiddenAt: null })).toBe(true);
    expect(canRead(undefined, { ...base, status: 'draft', hiddenAt: null })).toBe(false);
    expect(canRead(author, { ...base, status: 'draft', hiddenAt: null })).toBe(true);
    expect(canRead(actor('organizer'), { ...base, status: 'draft', hiddenAt: null })).toBe(false);
    expect(canRead(actor('organizer'), { ...base, status: 'published', hiddenAt: new Date() })).toBe(true);
    expect(canRead(actor('member'), { ...base, status: 'published', hiddenAt: new Date() })).toBe(false);
  });

  it('sanitises rendered Markdown', () => {
    const html = renderMarkdown('# T\n\n<script>x()</script>\n\n[a](javascript:alert(1)) <b onclick="x()">b</b> <iframe src="https://evil"></iframe> [ok](https://asem.org)', 'practices');
    expect(html).not.toMatch(/<script|href="javascript:|onclick|<iframe/i);
    expect(html).toContain('<a rel="nofollow noopener noreferrer">a</a>');
    expect(html).toContain('<h3>T</h3>');
    expect(html).toContain('href="https://asem.org"');
    expect(html).toContain('rel="nofollow noopener noreferrer"');
  });

  it('reads list filters from the URL, ignoring what is unknown', () => {
    expect(filtersFrom({ theme: 'ipr', member: 'de', kind: 'policy', language: 'zh', q: ' 创新 ' })).toEqual({ q: '创新', theme: 'ipr', member: 'DE', kind: 'policy', language: 'zh' });
    expect(filtersFrom({ theme: 'magic', member: { $ne: 1 }, kind: ['x'], language: 'xx' })).toEqual({ q: '', theme: '', member: '', kind: '', language: '' });
  });

  it('validates the form: unknown themes and no theme are refused with keys', () => {
    const base = { kind: 'business', title: 't', summary: 's', body: 'b', language: 'en', organisation: 'o' };
    const bad = PracticeForm.safeParse({ ...base, themes: ['ipr', 'astrology'] });
    expect(bad.success).toBe(false);
    expect(PracticeForm.safeParse({ ...base, themes: [] }).success).toBe(false);
    expect(PracticeForm.safeParse({ ...base, themes: 'ipr' }).success).toBe(true);
  });

  it('escapes the feed and drops characters XML cannot hold', () => {
    const p = { _id: new Types.ObjectId(), title: 'A & B <c> \u0001', summary: '"q"', themes: ['ipr'], author: new Types.ObjectId(), updatedAt: new Date(0), publishedAt: new Date(0), createdAt: new Date(0) } as unknown as PracticeDoc;
    const xml = atomFeed('http://x', [p], { title: 'T', subtitle: 'S', authorName: 'N', themeLabel: (k) => k }, new Map(), new Date(0));
    expect(xml).toContain('<title type="text">A &amp; B &lt;c&gt; </title>');
    expect(xml).toContain('&quot;q&quot;');
    expect(xml).not.toContain('\u0001');
  });
});

describe('services against the database', () => {
  let uploadDir: string;
  const sent: { to: Recipient; content: MailContent }[] = [];
  const mailer = { notify: async (to: Recipient, content: MailContent) => void sent.push({ to, content }) } as unknown as Mailer;
  const deps = () => ({ files: diskFileStore(uploadDir), mailer, baseUrl: 'http://portal.test', clock: () => new Date() });
  const input = (over: Record<string, unknown> = {}) =>
    PracticeForm.parse({ kind: 'business', title: 'Export vouchers', summary: 'Sum', body: 'Body **x**', themes: ['trade'], language: 'en', organisation: 'Org', ...over });

  beforeAll(async () => {
    await connectTestDb();
    await seedAsemMembers();
    await Practice.createIndexes();
    uploadDir = mkdtempSync(path.join(os.tmpdir(), 'practices-unit-'));
  });
  afterAll(async () => {
    await disconnectTestDb();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  it('creates, refuses the wrong kind, and keeps others out of editing', async () => {
    const u = await makeUser({ role: 'member', member: 'FR' });
    const member = actor('member', u.id, 'FR');
    const p = await createPractice(deps(), member, input(), []);
    expect(p).toMatchObject({ member: 'FR', status: 'published', kind: 'business' });
    expect(p.bodyHtml).toContain('<strong>x</strong>');
    await expect(createPractice(deps(), member, input({ kind: 'policy' }), [])).rejects.toBeInstanceOf(ValidationError);
    await expect(getOwnPractice(actor('member'), String(p._id))).rejects.toBeInstanceOf(NotFoundError);
    await expect(getOwnPractice(member, 'nonsense')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('hides and restores (organizer only), mailing the author; hidden ones leave the list', async () => {
    const u = await makeUser({ role: 'member', member: 'IT', language: 'zh-CN' });
    const p = await createPractice(deps(), actor('member', u.id, 'IT'), input({ title: 'Gelato cooperative' }), []);
    await expect(hidePractice(deps(), actor('member'), String(p._id), 'no')).rejects.toBeInstanceOf(ForbiddenError);
    const org = actor('organizer', (await makeUser({ role: 'organizer' })).id, null);
    const hidden = await hidePractice(deps(), org, String(p._id), 'Spam');
    expect(hidden.hiddenReason).toBe('Spam');
    expect(sent.at(-1)).toMatchObject({ to: { email: u.email, language: 'zh-CN' }, content: { subject: { key: 'practices:emails.hidden.subject' } } });
    const filters = filtersFrom({ q: 'gelato' });
    expect((await listPractices(filters, { skip: 0, perPage: 10 })).total).toBe(0);
    await expect(hidePractice(deps(), org, String(p._id), 'again')).rejects.toBeInstanceOf(ConflictError);
    await restorePractice(deps(), org, String(p._id), 'OK now');
    expect((await listPractices(filters, { skip: 0, perPage: 10 })).total).toBe(1);
  });

  it('records interest once per reader and refuses the author', async () => {
    const u = await makeUser({ role: 'member', member: 'ES' });
    const author = actor('member', u.id, 'ES');
    const p = await createPractice(deps(), author, input({ title: 'Tapas training' }), []);
    // The author's own liaison: someone the author may write back to, so the mail carries the link.
    const reader = actor('liaison', (await makeUser({ role: 'liaison', member: 'ES' })).id, 'ES');
    expect(await expressInterest(deps(), reader, String(p._id))).toBe(true);
    expect(await expressInterest(deps(), reader, String(p._id))).toBe(false);
    expect(sent.at(-1)!.content.action!.url).toBe(`http://portal.test/messages/new?to=${reader.id}`);
    await expect(expressInterest(deps(), author, String(p._id))).rejects.toBeInstanceOf(ConflictError);
  });
});
