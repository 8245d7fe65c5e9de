/**
 * Every catalogue key the module uses exists in English and Chinese (i18next would otherwise show
 * the bare key), and both catalogues have the same keys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
type Tree = { [k: string]: string | Tree };
const load = (lang: string): Tree => JSON.parse(readFileSync(path.join(root, 'locales', lang, 'messages.json'), 'utf8')) as Tree;

function flatten(tree: Tree, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.add(prefix + k.replace(/_(zero|one|two|few|many|other)$/, ''));
    else for (const x of flatten(v, `${prefix}${k}.`)) out.add(x);
  }
  return out;
}

function usedKeys(): Set<string> {
  const files = [
    ...readdirSync(path.join(root, 'views/messages')).map((f) => path.join(root, 'views/messages', f)),
    ...readdirSync(path.join(root, 'src/modules/messages')).map((f) => path.join(root, 'src/modules/messages', f)),
  ];
  const keys = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/['"`]messages:([a-zA-Z.]+)(\$\{)?/g)) if (!m[2]) keys.add(m[1]!);
    for (const m of text.matchAll(/messages:email\.announcement\.\$\{kind\}(\w+)/g)) for (const kind of ['sent', 'reminder']) keys.add(`email.announcement.${kind}${m[1]}`);
  }
  return keys;
}

test('both catalogues have the same keys', () => {
  expect([...flatten(load('zh-CN'))].sort()).toEqual([...flatten(load('en'))].sort());
});

test('every key used by the module exists', () => {
  const known = flatten(load('en'));
  const used = usedKeys();
  expect(used.size).toBeGreaterThan(50);
  expect([...used].filter((k) => !known.has(k))).toEqual([]);
});
