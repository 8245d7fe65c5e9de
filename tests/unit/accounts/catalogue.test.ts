/**
 * Every catalogue key the accounts, members and admin code and views name exists in English and
 * Chinese, including the keys built from lists (sectors, sizes, regions, kinds, roles).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { i18n, LANGUAGES } from '../../../src/web/i18n';
import { COMPANY_SIZES, ROLES, SECTORS } from '../../../src/modules/accounts/model';

const ROOT = path.resolve(__dirname, '../../..');
const DIRS = ['src/modules/accounts', 'src/modules/members', 'src/modules/admin', 'views/accounts', 'views/members', 'views/admin'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

function flatKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? flatKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

const literalKeys = new Set<string>();
for (const dir of DIRS) {
  for (const file of files(path.join(ROOT, dir))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`]((?:accounts|members|admin|validation|errors|common):[A-Za-z][\w.]*[\w])['"`]/g)) literalKeys.add(m[1]!);
  }
}

const builtKeys = [
  ...SECTORS.map((s) => `accounts:sectors.${s}`),
  ...COMPANY_SIZES.flatMap((s) => [`accounts:sizes.${s}`, `accounts:sizesShort.${s}`]),
  ...['register', 'resend', 'reset'].flatMap((k) => [`accounts:checkEmail.${k}.title`, `accounts:checkEmail.${k}.body`]),
  ...ROLES.map((r) => `common:roles.${r}`),
  'common:regions.Asia',
  'common:regions.Europe',
  'members:kind.country',
  'members:kind.organisation',
  ...['active', 'suspended', 'unverified'].map((s) => `admin:status.${s}`),
];

test('the scan found the keys', () => {
  expect(literalKeys.size).toBeGreaterThan(100);
});

test.each(LANGUAGES)('every key exists in %s', (lng) => {
  const missing = [...literalKeys, ...builtKeys].filter((key) => !i18n().exists(key, { lng, fallbackLng: false }) && !i18n().exists(`${key}_other`, { lng, fallbackLng: false }));
  expect(missing).toEqual([]);
});

test.each(['accounts', 'members', 'admin'])('the %s catalogues have the same keys in both languages', (ns) => {
  const en = flatKeys(JSON.parse(readFileSync(path.join(ROOT, 'locales/en', `${ns}.json`), 'utf8')));
  const zh = flatKeys(JSON.parse(readFileSync(path.join(ROOT, 'locales/zh-CN', `${ns}.json`), 'utf8')));
  expect(zh.sort()).toEqual(en.sort());
});
