/**
 * Unit tests of the foundation's pure pieces: configuration, form parsing, languages, mail rendering.
 */
import { z } from 'zod';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../../src/config';
import { fields, parseForm } from '../../../src/web/forms';
import { formatDate, languageFromHeader, localized, translator } from '../../../src/web/i18n';
import { renderMail } from '../../../src/web/mail';
import { paginate, pageFrom } from '../../../src/web/pagination';
import { safeNext } from '../../../src/modules/accounts/login.routes';

describe('configuration', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  test('defaults give a working development configuration and keep a generated session secret', () => {
    const a = loadConfig({ DATA_DIR: dataDir });
    expect(a.port).toBe(3000);
    expect(a.baseUrl).toBe('http://localhost:3000');
    expect(a.mongodbUri).toBeUndefined();
    expect(a.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dataDir, 'session-secret'), 'utf8').trim()).toBe(a.sessionSecret);
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecret).toBe(a.sessionSecret);
    expect(Object.isFrozen(a)).toBe(true);
  });

  test('a bad value stops start-up with a message naming the variable', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATA_DIR: dataDir, MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ DATA_DIR: dataDir, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ DATA_DIR: dataDir, ADMIN_EMAIL: 'a@b.org' })).toThrow(/ADMIN_EMAIL/);
    expect(() => loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
  });

  test('files go to disk by default and to GridFS with MONGODB_URI, unless FILE_STORE says otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).fileStore).toBe('disk');
    expect(loadConfig({ DATA_DIR: dataDir, MONGODB_URI: 'mongodb://db1/asem' }).fileStore).toBe('gridfs');
    expect(loadConfig({ DATA_DIR: dataDir, MONGODB_URI: 'mongodb://db1/asem', FILE_STORE: 'disk' }).fileStore).toBe('disk');
    expect(loadConfig({ DATA_DIR: dataDir, FILE_STORE: 'gridfs' }).fileStore).toBe('gridfs');
    expect(() => loadConfig({ DATA_DIR: dataDir, FILE_STORE: 's3' })).toThrow(/FILE_STORE/);
    expect(loadConfig({ DATA_DIR: dataDir }).requestTimeoutMs).toBe(8000);
    expect(loadConfig({ DATA_DIR: dataDir, REQUEST_TIMEOUT_MS: '3000' }).requestTimeoutMs).toBe(3000);
    expect(() => loadConfig({ DATA_DIR: dataDir, REQUEST_TIMEOUT_MS: '10' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });

  test('production with a secret turns on secure settings; BASE_URL loses its trailing slash', () => {
    const c = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), BASE_URL: 'https://sme.example.org/' });
    expect(c.isProduction).toBe(true);
    expect(c.baseUrl).toBe('https://sme.example.org');
  });
});

describe('form parsing', () => {
  const Form = z.object({ name: fields.text(10), email: fields.email(), site: fields.optionalUrl(), tags: fields.list(z.enum(['a', 'b'])).pipe(z.array(z.enum(['a', 'b'])).min(1)) });

  test('valid input is trimmed and typed', () => {
    const r = parseForm(Form, { name: '  Ann ', email: ' ANN@Example.org ', site: '', tags: 'a' });
    expect(r).toEqual({ ok: true, data: { name: 'Ann', email: 'ann@example.org', site: undefined, tags: ['a'] } });
  });

  test('each error becomes a message key beside its field', () => {
    const r = parseForm(Form, { name: 'x'.repeat(11), email: 'nope', site: 'javascript:alert(1)', tags: ['c'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.name).toEqual({ key: 'validation:tooLong', params: { max: 10 } });
    expect(r.errors.email).toEqual({ key: 'validation:email' });
    expect(r.errors.site).toEqual({ key: 'validation:url' });
    expect(r.errors.tags?.key).toBe('validation:invalidChoice');
  });

  test('missing fields and wrong types are "required", never a crash', () => {
    const r = parseForm(Form, { name: ['a', 'b'], email: undefined });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.name).toEqual({ key: 'validation:required' });
      expect(r.errors.email).toEqual({ key: 'validation:required' });
    }
  });
});

describe('languages', () => {
  test('Accept-Language picks Chinese for any zh variant and English otherwise', () => {
    expect(languageFromHeader('zh-TW,zh;q=0.9')).toBe('zh-CN');
    expect(languageFromHeader('fr;q=0.9,en;q=0.8,zh;q=0.5')).toBe('en');
    expect(languageFromHeader('de')).toBeUndefined();
    expect(languageFromHeader(undefined)).toBeUndefined();
  });

  test('each translator answers in its own language', () => {
    expect(translator('en')('nav.fair')).toBe('Fair');
    expect(translator('zh-CN')('nav.fair')).toBe('博览会');
    expect(translator('zh-CN')('errors:notFound.title')).toBe('页面不存在');
  });

  test('dates and names follow the reader', () => {
    const d = new Date('2027-09-15T00:00:00Z');
    expect(formatDate(d, 'en')).toBe('September 15, 2027');
    expect(formatDate(d, 'zh-CN')).toBe('2027年9月15日');
    expect(localized({ en: 'China', 'zh-CN': '中国' }, 'zh-CN')).toBe('中国');
    expect(localized({ en: 'China' }, 'zh-CN')).toBe('China');
  });
});

describe('mail rendering', () => {
  test('text and HTML parts in the recipient language, user text escaped, unsubscribe header', () => {
    const m = renderMail(
      { email: 'li@example.cn', name: 'Li <b>', language: 'zh-CN' },
      { subject: { key: 'accounts:login.title' }, lines: [{ key: 'accounts:login.welcome', params: { name: 'Li' } }, { quote: '<script>x</script>' }], action: { label: { key: 'nav.fair' }, url: 'https://portal.example/fair?a=1&b=2' }, unsubscribeUrl: 'https://portal.example/u?t=1' },
    );
    expect(m.subject).toBe('登录');
    expect(m.text).toContain('欢迎您，Li。');
    expect(m.text).toContain('https://portal.example/fair?a=1&b=2');
    expect(m.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('href="https://portal.example/fair?a=1&amp;b=2"');
    expect(m.headers?.['List-Unsubscribe']).toBe('<https://portal.example/u?t=1>');
  });
});

describe('pagination and redirects', () => {
  test('page numbers are clamped and links keep the filters', () => {
    expect(pageFrom({ page: '3' }, 20)).toEqual({ page: 3, perPage: 20, skip: 40 });
    expect(pageFrom({ page: '-1' }, 20).page).toBe(1);
    expect(pageFrom({ page: 'abc' }, 20).page).toBe(1);
    const p = paginate('/practices', { theme: 'ip', q: '中小企业', page: '2' }, pageFrom({ page: '2' }, 10), 35);
    expect(p.pages).toBe(4);
    expect(p.hrefFor(3)).toBe('/practices?theme=ip&q=%E4%B8%AD%E5%B0%8F%E4%BC%81%E4%B8%9A&page=3');
    expect(p.hrefFor(1)).toBe('/practices?theme=ip&q=%E4%B8%AD%E5%B0%8F%E4%BC%81%E4%B8%9A');
  });

  test('only local paths are followed after login', () => {
    expect(safeNext('/fair/requests')).toBe('/fair/requests');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });
});
