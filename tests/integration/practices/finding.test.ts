/**
 * Finding practices: the list with combinable filters in the URL, pagination, full-text search in
 * English and Chinese ranked by matching terms then recency, related practices and the Atom feed.
 */
import { createTestApp, type TestApp } from '../../helpers/app';
import { makeUser } from '../../helpers/factories';
import { login, newAgent } from '../../helpers/http';
import { Types } from 'mongoose';
import { Practice } from '../../../src/modules/practices/model';
import { practicesModule } from '../../../src/modules/practices/module';
import { SEARCH_VERSION } from '../../../src/modules/practices/service';
import { textTerms } from '../../../src/web/search';
import { GOOD_PRACTICE, idFromLocation, postPractice, type PracticeFields } from './helpers';
import { childNamed, childrenNamed, parseXmlStrict } from './xml';

// Logins hash passwords with argon2 and the machine is shared: give hooks room.
jest.setTimeout(60_000);

let t: TestApp;
let cnAgent: ReturnType<typeof newAgent>;
const ids: Record<string, string> = {};

async function publish(agent: ReturnType<typeof newAgent>, key: string, fields: PracticeFields, at: Date) {
  t.setNow(at);
  const res = await postPractice(agent, '/practices/new', { ...GOOD_PRACTICE, results: '', ...fields });
  if (res.status !== 303) throw new Error(`publish ${key}: ${res.status}`);
  ids[key] = idFromLocation(res.headers.location);
}

beforeAll(async () => {
  t = await createTestApp();
  const de = await makeUser({ role: 'member', member: 'DE' });
  const cn = await makeUser({ role: 'liaison', member: 'CN' });
  const deAgent = newAgent(t.app);
  await login(deAgent, de.email, de.password);
  cnAgent = newAgent(t.app);
  await login(cnAgent, cn.email, cn.password);
  const day = (d: number) => new Date(Date.UTC(2026, 5, d));
  await publish(deAgent, 'vouchers', { title: 'Innovation vouchers', summary: 'Small grants for innovative SMEs.', body: 'Vouchers for research.', themes: ['innovation'] }, day(1));
  await publish(deAgent, 'clusters', { title: 'Innovation clusters and vouchers', summary: 'Clusters that innovate together.', body: 'Industrial clusters share labs; vouchers pay for them.', themes: ['innovation', 'clusters'] }, day(2));
  await publish(cnAgent, 'zhpolicy', { kind: 'policy', title: '中小企业创新券政策', summary: '为中小企业提供创新券。', body: '创新券帮助中小企业购买研发服务。', themes: ['innovation', 'financing'], language: 'zh', organisation: '工业和信息化部' }, day(3));
  await publish(deAgent, 'export', { title: 'Export credit for micro firms', summary: 'Export finance made simple.', body: 'Microfinance for exporters.', themes: ['financing', 'trade'] }, day(4));
  await publish(deAgent, 'draft', { title: 'Unfinished innovation draft', intent: 'draft' }, day(5));
  t.setNow(null);
});
afterAll(async () => {
  await t.close();
});

const titlesIn = (html: string) => [...html.matchAll(/class="practice-item-title"><a href="\/practices\/([a-f0-9]{24})"/g)].map((m) => Object.keys(ids).find((k) => ids[k] === m[1]) ?? m[1]);

describe('the list', () => {
  it('shows published practices newest first, never drafts', async () => {
    const res = await newAgent(t.app).get('/practices');
    expect(res.status).toBe(200);
    expect(titlesIn(res.text)).toEqual(['export', 'zhpolicy', 'clusters', 'vouchers']);
    // The feed is announced in the page head.
    expect(res.text.slice(0, res.text.indexOf('</head>'))).toContain('<link rel="alternate" type="application/atom+xml"');
  });

  it('filters by theme, member, kind and language, combined, from the URL', async () => {
    const agent = newAgent(t.app);
    expect(titlesIn((await agent.get('/practices?theme=clusters')).text)).toEqual(['clusters']);
    expect(titlesIn((await agent.get('/practices?member=CN')).text)).toEqual(['zhpolicy']);
    expect(titlesIn((await agent.get('/practices?kind=business&theme=financing')).text)).toEqual(['export']);
    expect(titlesIn((await agent.get('/practices?language=zh')).text)).toEqual(['zhpolicy']);
    expect(titlesIn((await agent.get('/practices?theme=innovation&member=DE&kind=business&language=en')).text)).toEqual(['clusters', 'vouchers']);
    // Unknown or hostile values are ignored, never an error.
    expect((await agent.get('/practices?theme=astrology&member[$ne]=x&kind=evil')).status).toBe(200);
  });

  it('paginates keeping the filters in the links', async () => {
    const author = (await Practice.findById(ids.vouchers).lean())!.author;
    for (let i = 0; i < 12; i++) {
      await Practice.create({
        kind: 'business', status: 'published', title: `CSR case ${i}`, summary: 's', body: 'b', bodyHtml: '<p>b</p>', themes: ['csr'], member: 'DE', language: 'en',
        organisation: 'o', author, authorRole: 'member', publishedAt: new Date(Date.UTC(2026, 0, 1 + i)), searchTerms: textTerms(`CSR case ${i}`),
      });
    }
    const first = await newAgent(t.app).get('/practices?theme=csr');
    expect(titlesIn(first.text)).toHaveLength(10);
    expect(first.text).toContain('href="/practices?theme=csr&amp;page=2"');
    const second = await newAgent(t.app).get('/practices?theme=csr&page=2');
    const secondTitles = [...second.text.matchAll(/>CSR case (\d+)</g)].map((m) => Number(m[1]));
    expect(secondTitles).toEqual([1, 0]);
    expect(second.text).toContain('href="/practices?theme=csr" rel="prev"');
    await Practice.deleteMany({ themes: 'csr' });
  });
});

describe('search', () => {
  it('finds English words in any form, ranked by matching terms then recency', async () => {
    const res = await newAgent(t.app).get('/practices?q=innovative+vouchers');
    // clusters and vouchers both match two terms (innov, voucher): the newer first.
    expect(titlesIn(res.text)).toEqual(['clusters', 'vouchers']);
    const one = await newAgent(t.app).get('/practices?q=cluster');
    expect(titlesIn(one.text)).toEqual(['clusters']);
    const ranked = await newAgent(t.app).get('/practices?q=microfinance+export+innovation');
    expect(titlesIn(ranked.text)[0]).toBe('export');
  });

  it('finds Chinese text by a Chinese word', async () => {
    const res = await newAgent(t.app).get(`/practices?q=${encodeURIComponent('创新券')}`);
    expect(titlesIn(res.text)).toEqual(['zhpolicy']);
    const word = await newAgent(t.app).get(`/practices?q=${encodeURIComponent('中小企业')}`);
    expect(titlesIn(word.text)).toEqual(['zhpolicy']);
    expect(word.text).toContain('中小企业创新券政策');
  });

  it('combines search words with filters, and never shows drafts', async () => {
    expect(titlesIn((await newAgent(t.app).get('/practices?q=innovation&kind=policy')).text)).toEqual([]);
    expect(titlesIn((await newAgent(t.app).get('/practices?q=unfinished')).text)).toEqual([]);
    expect(titlesIn((await newAgent(t.app).get('/practices?q=the+and+of')).text)).toEqual(['export', 'zhpolicy', 'clusters', 'vouchers']);
  });
});

describe('a practice page', () => {
  it('lists related practices sharing themes, most shared first', async () => {
    const res = await newAgent(t.app).get(`/practices/${ids.clusters}`);
    const related = res.text.slice(res.text.indexOf('id="practice-related"'));
    const order = [...related.matchAll(/href="\/practices\/([a-f0-9]{24})"/g)].map((m) => Object.keys(ids).find((k) => ids[k] === m[1]));
    expect(order).toEqual(['zhpolicy', 'vouchers']);
  });

  it('shows the agency of a liaison author and the home page lists the latest', async () => {
    const res = await newAgent(t.app).get(`/practices/${ids.zhpolicy}`);
    expect(res.text).toContain('Ministry of SMEs');
    const home = await newAgent(t.app).get('/');
    expect(home.text).toContain('Export credit for micro firms');
  });

  it('works in Chinese', async () => {
    const res = await newAgent(t.app).get(`/practices?lang=zh-CN`);
    expect(res.text).toContain('最佳实践');
    expect(res.text).toContain('创新与技术');
  });
});

describe('the Atom feed', () => {
  it('is checked by a reader that refuses malformed XML', () => {
    expect(() => parseXmlStrict('<feed><entry></feed>')).toThrow();
    expect(() => parseXmlStrict('<feed>a & b</feed>')).toThrow();
    expect(() => parseXmlStrict('<feed/><feed/>')).toThrow();
    expect(parseXmlStrict('<feed><link href="x"/></feed>').children[0]!.attrs.href).toBe('x');
  });

  it('is well-formed Atom with the required elements and only published practices', async () => {
    const res = await newAgent(t.app).get('/practices/feed.xml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = parseXmlStrict(res.text);
    expect(feed.name).toBe('feed');
    expect(feed.attrs.xmlns).toBe('http://www.w3.org/2005/Atom');
    const text = (el: ReturnType<typeof childNamed>) => (el ? el.text.trim() : '');
    const isIsoDate = (s: string) => new Date(s).toISOString() === s;
    expect(text(childNamed(feed, 'id'))).toBe('http://portal.test/practices');
    expect(text(childNamed(feed, 'title'))).toBeTruthy();
    expect(isIsoDate(text(childNamed(feed, 'updated')))).toBe(true);
    expect(text(childNamed(childNamed(feed, 'author')!, 'name'))).toBeTruthy();
    const self = childrenNamed(feed, 'link').find((l) => l.attrs.rel === 'self');
    expect(self?.attrs.href).toBe('http://portal.test/practices/feed.xml');
    const entries = childrenNamed(feed, 'entry');
    expect(entries).toHaveLength(4);
    for (const e of entries) {
      expect(text(childNamed(e, 'id'))).toMatch(/^http:\/\/portal\.test\/practices\/[a-f0-9]{24}$/);
      expect(text(childNamed(e, 'title'))).toBeTruthy();
      expect(isIsoDate(text(childNamed(e, 'updated')))).toBe(true);
      expect(text(childNamed(e, 'summary'))).toBeTruthy();
      expect(childNamed(e, 'link')?.attrs.href).toBe(text(childNamed(e, 'id')));
      expect(text(childNamed(childNamed(e, 'author')!, 'name'))).toBeTruthy();
    }
    expect(text(childNamed(entries[0]!, 'title'))).toBe('Export credit for micro firms');
    expect(res.text).not.toContain('Unfinished innovation draft');
  });
});

describe('search over "Results and impact"', () => {
  it('finds a practice by a word only in its results, also one indexed before results were searched', async () => {
    await publish(cnAgent, 'results', { kind: 'policy', title: 'Regional SME desks', summary: 'One desk per province.', body: 'Advice for firms.', themes: ['bds'], results: 'Turnover of supported firms rose by a quarter.' }, new Date(Date.UTC(2026, 5, 6)));
    try {
      expect(titlesIn((await newAgent(t.app).get('/practices?q=turnover')).text)).toEqual(['results']);
      // As stored by the earlier version: terms without the results, and no search version.
      await Practice.collection.updateOne({ _id: new Types.ObjectId(ids.results) }, { $set: { searchTerms: textTerms('Regional SME desks', 'One desk per province.', 'Advice for firms.') }, $unset: { searchVersion: '' } });
      expect(titlesIn((await newAgent(t.app).get('/practices?q=turnover')).text)).toEqual([]);
      await practicesModule.onStart!(t.ctx);
      expect(titlesIn((await newAgent(t.app).get('/practices?q=turnover')).text)).toEqual(['results']);
      const stored = await Practice.findById(ids.results).select('+searchTerms').lean();
      expect(stored!.searchVersion).toBe(SEARCH_VERSION);
      // A second start-up finds nothing to re-index.
      const before = (await Practice.findById(ids.results).lean())!.updatedAt;
      await practicesModule.onStart!(t.ctx);
      expect((await Practice.findById(ids.results).lean())!.updatedAt).toEqual(before);
    } finally {
      await Practice.deleteOne({ _id: ids.results });
    }
  });
});
