/**
 * Every catalogue key the board uses exists in English and in Chinese, with the same keys in both
 * files (a missing key would show its name on the page).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { i18n } from '../../../src/web/i18n';
import { THREAD_ACTIONS } from '../../../src/modules/board/moderation';
import { REPORT_STATUSES } from '../../../src/modules/board/model';

const ROOT = path.resolve(__dirname, '../../..');
const files = [
  ...readdirSync(path.join(ROOT, 'views/board')).map((f) => path.join(ROOT, 'views/board', f)),
  ...readdirSync(path.join(ROOT, 'src/modules/board')).map((f) => path.join(ROOT, 'src/modules/board', f)),
];

function flatten(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

test('the English and Chinese board catalogues have the same keys', () => {
  const en = flatten(JSON.parse(readFileSync(path.join(ROOT, 'locales/en/board.json'), 'utf8')));
  const zh = flatten(JSON.parse(readFileSync(path.join(ROOT, 'locales/zh-CN/board.json'), 'utf8')));
  expect(zh.sort()).toEqual(en.sort());
});

test('every key used in the board views and code exists in both languages', () => {
  const used = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/board:[A-Za-z0-9_.]*[A-Za-z0-9_]/g)) used.add(m[0]);
  }
  // Keys built at run time from a prefix.
  for (const a of THREAD_ACTIONS) used.add(`board:moderation.done.${a}`);
  for (const a of [...THREAD_ACTIONS, 'hidePost', 'restorePost']) used.add(`board:moderation.actions.${a}`);
  for (const s of REPORT_STATUSES) used.add(`board:reports.status.${s}`);
  for (const d of ['hide', 'resolve', 'dismiss']) {
    used.add(`board:reports.decide.${d}`);
    used.add(`board:reports.done.${d}`);
  }
  const i = i18n();
  const missing: string[] = [];
  for (const key of used) {
    if (/\.$/.test(key)) continue;
    for (const lng of ['en', 'zh-CN']) {
      if (!i.exists(key, { lng, count: 2 }) && !i.exists(key, { lng })) missing.push(`${lng} ${key}`);
    }
  }
  expect(missing).toEqual([]);
  expect(used.size).toBeGreaterThan(100);
});
