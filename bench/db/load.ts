/**
 * Start-up time and memory of the embedded database on an existing data directory
 * (`npx tsx bench/db/load.ts -- --dbpath /tmp/copy-of-data/db`): starts the database in a child
 * process as the portal does, times it from spawn to its ready line, prints its RSS after the load
 * and after a few thousand read queries (lookups by _id, by a search term, ranges), and the ratio
 * of that RSS to the size of the data files. Only reads: the directory is left as it was, but it
 * is opened (and locked) by the database, so point it at a copy, never at live data.
 * `--idle S` also prints the RSS after S idle seconds. `--cpu-prof DIR` writes the database process's CPU profile there. BENCH_ENGINE=<dir> runs another copy of src/embedded-db (see bench/README.md).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MongoClient, type Document } from 'mongodb';

const { values } = parseArgs({
  options: { dbpath: { type: 'string' }, queries: { type: 'string' }, log: { type: 'boolean' }, 'cpu-prof': { type: 'string' }, idle: { type: 'string' } },
  strict: true,
  allowPositionals: true,
});
if (!values.dbpath) throw new Error('--dbpath DIR is required (a copy of a data directory)');
const dbPath = path.resolve(values.dbpath);
const queries = Number(values.queries ?? 3000);
const engineDir = process.env.BENCH_ENGINE ? path.resolve(process.env.BENCH_ENGINE) : path.join(__dirname, '..', '..', 'src', 'embedded-db');

function rssMb(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function dataBytes(dir: string): number {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.edb'))
    .reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);
}

async function main(): Promise<void> {
  const files = dataBytes(dbPath);
  const started = process.hrtime.bigint();
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [];
  const child = spawn(process.execPath, [...prof, '--import', pathToFileURL(require.resolve('tsx')).href, path.join(engineDir, 'cli.ts'), '--port', '0', '--dbpath', dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    if (values.log || / warn | error |loaded|garbage/.test(line)) console.log(`  [db] ${line}`);
  });
  const uri = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^EMBEDDED_DB_READY (\S+)/.exec(line);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`the database exited with ${code} before it was ready`)));
  });
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  const pid = child.pid!;
  const afterLoad = rssMb(pid);
  console.log(`data files ${(files / 2 ** 20).toFixed(0)} MB; ready after ${(loadMs / 1000).toFixed(1)} s`);
  console.log(`RSS after load ${afterLoad.rss.toFixed(0)} MB (${((afterLoad.rss * 2 ** 20) / files).toFixed(2)}x the data files), peak ${afterLoad.hwm.toFixed(0)} MB`);

  const client = new MongoClient(uri, { directConnection: true });
  try {
    await client.connect();
    const rounds: Array<{ label: string; n: number; ms: number }> = [];
    for (const dbInfo of (await client.db('admin').admin().listDatabases()).databases) {
      if (['admin', 'local', 'config'].includes(dbInfo.name)) continue;
      const db = client.db(dbInfo.name);
      for (const { name } of await db.listCollections().toArray()) {
        const coll = db.collection(name);
        const sample = await coll.find({}, { projection: { _id: 1, searchTerms: 1 } }).limit(200).toArray();
        if (sample.length === 0) continue;
        const terms = sample.flatMap((d: Document) => (Array.isArray(d.searchTerms) ? (d.searchTerms as string[]).slice(0, 5) : []));
        const t0 = process.hrtime.bigint();
        let n = 0;
        for (let i = 0; n < queries / 4 && i < queries; i++, n++) {
          const d = sample[i % sample.length];
          await coll.findOne({ _id: d._id });
          if (terms.length > 0) await coll.find({ searchTerms: terms[i % terms.length] }).limit(20).toArray();
        }
        rounds.push({ label: `${dbInfo.name}.${name}`, n, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      }
    }
    const total = rounds.reduce((a, r) => a + r.n, 0);
    const ms = rounds.reduce((a, r) => a + r.ms, 0);
    const afterQueries = rssMb(pid);
    console.log(`${total} lookups by _id and ${total} by search term over ${rounds.length} collections in ${(ms / 1000).toFixed(1)} s`);
    console.log(`RSS after the queries ${afterQueries.rss.toFixed(0)} MB (${((afterQueries.rss * 2 ** 20) / files).toFixed(2)}x), peak ${afterQueries.hwm.toFixed(0)} MB`);
    const idle = Number(values.idle ?? 0);
    if (idle > 0) {
      await new Promise((resolve) => setTimeout(resolve, idle * 1000));
      const rested = rssMb(pid);
      console.log(`RSS after ${idle} s idle ${rested.rss.toFixed(0)} MB (${((rested.rss * 2 ** 20) / files).toFixed(2)}x)`);
    }
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await exited;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
