/**
 * Where the embedded database's memory goes on an existing data directory
 * (`node --expose-gc --import tsx bench/db/heap.ts -- --dbpath /tmp/copy-of-data/db`): loads it
 * in this process, then prints the heap (and memory outside the heap) after the load and what
 * each part frees when dropped: per collection, its secondary indexes, its _id index, its
 * documents. Opens the directory (and locks it) but writes nothing: point it at a copy.
 */
import path from 'node:path';
import { BSON } from 'bson';
import { parseArgs } from 'node:util';
import { Engine } from '../../src/embedded-db/engine/engine';
import { FileStorage } from '../../src/embedded-db/storage/file';
import { flattenedKeyCount } from '../../src/embedded-db/engine/values';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const { values } = parseArgs({ options: { dbpath: { type: 'string' } }, strict: true, allowPositionals: true });
if (!values.dbpath) throw new Error('--dbpath DIR is required (a copy of a data directory)');

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MB`;
function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const logger = { info: (m: string) => console.log(`  ${m}`), warn: (m: string) => console.log(`  warn ${m}`), error: (m: string) => console.log(`  error ${m}`) };
  const base = heap();
  const engine = new Engine(new FileStorage(path.resolve(values.dbpath!), { logger }), logger);
  await engine.open();
  const loaded = heap();
  const mem = process.memoryUsage();
  console.log(`heap after load ${mb(loaded - base)}, outside the heap ${mb(mem.external)}, RSS ${mb(mem.rss)}; ${flattenedKeyCount()} keys flattened`);
  const rows: Array<[string, number, number, number, number, number, number]> = [];
  for (const colls of engine.catalog.dbs.values()) {
    for (const coll of colls.values()) {
      const before = heap();
      const entries = [...coll.indexes.values()].reduce((a, i) => a + i.entryCount, 0);
      for (const index of [...coll.indexes.values()]) if (!index.isId) index.clear();
      const secondary = heap();
      coll.idIndex.clear();
      const idIndex = heap();
      const docs = coll.docs.size;
      let bson = 0;
      for (const d of coll.docs.values()) bson += BSON.calculateObjectSize(d);
      coll.docs.clear();
      const after = heap();
      rows.push([coll.ns, docs, entries, before - secondary, secondary - idIndex, idIndex - after, bson]);
    }
  }
  rows.sort((a, b) => b[3] + b[4] + b[5] - (a[3] + a[4] + a[5]));
  console.log('collection | documents | index entries | secondary indexes | _id index | documents (heap / BSON)');
  for (const [ns, docs, entries, sec, id, d, bson] of rows.slice(0, 12)) {
    console.log(
      `${ns} | ${docs} | ${entries} | ${mb(sec)} (${entries > docs ? (sec / (entries - docs)).toFixed(0) : '-'} B/entry) | ${mb(id)} | ` +
        `${mb(d)} (${docs ? (d / docs).toFixed(0) : '-'} B/doc, BSON ${docs ? (bson / docs).toFixed(0) : '-'} B/doc)`,
    );
  }
  console.log(`left after dropping everything: ${mb(heap() - base)} (the string intern table among it)`);
  await engine.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
