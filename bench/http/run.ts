/**
 * HTTP benchmark of the portal, run the way production runs it: the compiled portal
 * (`node dist/server.js`, NODE_ENV=production) in its own process with the embedded database in
 * its child process, and beside it a bare Express 5 + EJS page (bench/http/bare.ts) in another
 * process. This process only generates load (autocannon): it never shares a CPU budget with the
 * server it measures more than the machine forces. Each page is measured right after the bare page,
 * several rounds, and reported with its ratio to the bare page of the same rounds. Nothing is
 * asserted: the figures are for comparison within one run (the machine varies from run to run).
 *
 *   npm run bench:http [-- --seconds 5 --rounds 3 --connections 50 --data DIR --pages /,/fair]
 *
 * --data DIR uses an existing DATA_DIR (e.g. one filled by `npm run demo-data`); its
 * demo-users.json, when present, gives the accounts for the signed-in pages. Without it, a fresh
 * temporary DATA_DIR holds only the start-up seed and an organizer made for the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';

const ROOT = path.resolve(__dirname, '../..');
/** What a TLS-terminating proxy adds; production sets Secure cookies only on HTTPS requests. */
const PROXY = { 'x-forwarded-proto': 'https' };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const seconds = Number(arg('seconds') ?? 5);
const rounds = Number(arg('rounds') ?? 3);
const connections = Number(arg('connections') ?? 50);
const onlyPages = arg('pages')?.split(',');

interface Credentials {
  email: string;
  password: string;
}
type Role = 'organizer' | 'member' | 'liaison';

/** Starts a child and resolves with the port it prints after `marker`. */
function startProcess(file: string, argv: string[], env: NodeJS.ProcessEnv, marker: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} did not start:\n${tail.join('\n')}`)), 900_000);
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      const m = marker.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    };
    readline.createInterface({ input: child.stdout! }).on('line', onLine);
    readline.createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}

/** Resident set size of a process and of its children (the embedded database), in MB. */
function rssOf(pid: number): { self: number; children: number } {
  const rss = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let children = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children += rss(Number(entry));
    } catch {
      /* the process ended meanwhile */
    }
  }
  return { self: rss(pid), children };
}

/** The size of the files in a folder (the embedded database's snapshot and journal), in MB. */
function sizeOf(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0) / 1024 / 1024;
}

/** Signs in through the login form and returns the session cookie header. */
async function signIn(base: string, who: Credentials): Promise<string> {
  const page = await fetch(`${base}/login`, { headers: PROXY });
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookies = page.headers.getSetCookie().map((c) => c.split(';')[0]);
  if (!token) throw new Error('no CSRF token on /login');
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...PROXY, 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
    body: new URLSearchParams({ email: who.email, password: who.password, _csrf: token }).toString(),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  if (res.status !== 303 && res.status !== 302) throw new Error(`login as ${who.email} answered ${res.status}`);
  return [...cookies.filter((c) => !session.some((s) => s.split('=')[0] === c.split('=')[0])), ...session].join('; ');
}

/** The first link on a page that matches the pattern (e.g. the first practice of the list). */
async function firstLink(base: string, page: string, pattern: RegExp, cookie?: string): Promise<string | undefined> {
  const res = await fetch(`${base}${page}`, { headers: cookie ? { ...PROXY, cookie } : PROXY });
  return pattern.exec(await res.text())?.[0];
}

interface PageSpec {
  label: string;
  path: string;
  as?: Role;
}

async function discoverPages(base: string, cookies: Partial<Record<Role, string>>): Promise<PageSpec[]> {
  const pages: PageSpec[] = [
    { label: 'home', path: '/' },
    { label: 'fair', path: '/fair' },
    { label: 'practices', path: '/practices' },
    { label: 'practices search (en)', path: '/practices?q=export+partners' },
    { label: 'practices search (zh)', path: `/practices?q=${encodeURIComponent('合作')}` },
    { label: 'board', path: '/board' },
    { label: 'members', path: '/members' },
    { label: 'member CN', path: '/members/CN' },
    { label: 'companies', path: '/companies' },
    { label: 'opportunities', path: '/opportunities' },
    { label: 'companies search (zh) + facet', path: `/companies?q=${encodeURIComponent('机械')}&region=Asia` },
    { label: 'opportunities facets', path: '/opportunities?isic=C&cooperation=trade&sort=newest' },
    { label: 'login page', path: '/login' },
  ];
  const practice = await firstLink(base, '/practices', /\/practices\/[a-f0-9]{24}/);
  if (practice) pages.push({ label: 'a practice', path: practice });
  const category = await firstLink(base, '/board', /\/board\/(?!threads\/)[a-z0-9-]+(?=")/);
  if (category) {
    pages.push({ label: 'a category', path: category });
    const thread = await firstLink(base, category, /\/board\/threads\/[a-f0-9]{24}/);
    if (thread) {
      pages.push({ label: 'a thread (first page)', path: thread });
      const html = await (await fetch(`${base}${thread}`, { headers: PROXY })).text();
      const last = Math.max(1, ...[...html.matchAll(/[?&]page=(\d+)/g)].map((m) => Number(m[1])));
      if (last > 1) pages.push({ label: 'a thread (last page)', path: `${thread}?page=${last}` });
    }
  }
  const company = await firstLink(base, '/members/CN', /\/companies\/[a-f0-9]{24}/);
  if (company) pages.push({ label: 'a company', path: company });
  if (cookies.member) {
    pages.push({ label: 'account (member)', path: '/account', as: 'member' }, { label: 'messages (member)', path: '/messages', as: 'member' });
    const conversation = await firstLink(base, '/messages', /\/messages\/[a-f0-9]{24}/, cookies.member);
    if (conversation) pages.push({ label: 'a conversation', path: conversation, as: 'member' });
  }
  if (cookies.liaison) pages.push({ label: 'liaison queue', path: '/liaison/requests', as: 'liaison' });
  if (cookies.organizer) pages.push({ label: 'organizer desk', path: '/admin', as: 'organizer' }, { label: 'organizer fair', path: '/admin/fair', as: 'organizer' });
  // Pages the portal does not have (yet) are left out rather than measured as 404s.
  const present: PageSpec[] = [];
  for (const p of pages) {
    const res = await fetch(`${base}${p.path}`, { headers: p.as ? { ...PROXY, cookie: cookies[p.as]! } : PROXY, redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status === 200 && (!onlyPages || onlyPages.includes(p.path) || onlyPages.includes(p.label))) present.push(p);
    else if (res.status !== 200) process.stdout.write(`(left out: ${p.label} ${p.path} answered ${res.status})\n`);
  }
  return present;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

async function load(url: string, cookie?: string): Promise<Sample> {
  const r = await autocannon({ url, connections, duration: seconds, headers: cookie ? { ...PROXY, cookie } : PROXY });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: r.non2xx + r.errors + r.timeouts };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  // Build the portal as `npm start` would (only when a source file is newer than the build).
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/start.js'), '--build-if-stale'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('build failed');

  const given = arg('data');
  const dataDir = given ? path.resolve(given) : mkdtempSync(path.join(os.tmpdir(), 'asem-bench-'));
  const usersFile = path.join(dataDir, 'demo-users.json');
  const users: Partial<Record<Role, Credentials>> = existsSync(usersFile) ? JSON.parse(readFileSync(usersFile, 'utf8')) : {};
  users.organizer ??= { email: 'bench-organizer@example.org', password: 'bench-password-2026' };
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: '0',
    BASE_URL: 'http://127.0.0.1',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01',
    DATA_DIR: dataDir,
    UPLOAD_DIR: path.join(dataDir, 'uploads'),
    LOG_LEVEL: 'warn',
    // Production cookies are Secure: the runner speaks plain HTTP as a TLS-terminating proxy would.
    TRUST_PROXY: '1',
    ADMIN_EMAIL: users.organizer.email,
    ADMIN_PASSWORD: users.organizer.password,
  };
  const portal = await startProcess(process.execPath, [path.join(ROOT, 'dist/server.js')], env, /^ASEM SME Exchange: .* \(listening on port (\d+)\)$/);
  const bare = await startProcess(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bare.ts')], { ...process.env, NODE_ENV: 'production' }, /^BARE_READY (\d+)/);
  const base = `http://127.0.0.1:${portal.port}`;
  const bareUrl = `http://127.0.0.1:${bare.port}/`;
  try {
    const cookies: Partial<Record<Role, string>> = {};
    for (const role of Object.keys(users) as Role[]) cookies[role] = await signIn(base, users[role]!);
    const pages = await discoverPages(base, cookies);
    process.stdout.write(
      `Portal HTTP benchmark: ${connections} connections, ${seconds} s per page, ${rounds} rounds, ${os.cpus().length} cores, data ${given ? dataDir : 'start-up seed only'}\n\n`,
    );
    const samples = new Map<string, { page: Sample[]; bare: Sample[] }>();
    for (let round = 1; round <= rounds; round++) {
      for (const p of pages) {
        const entry = samples.get(p.label) ?? { page: [], bare: [] };
        entry.bare.push(await load(bareUrl));
        entry.page.push(await load(`${base}${p.path}`, p.as ? cookies[p.as] : undefined));
        samples.set(p.label, entry);
      }
      process.stdout.write(`round ${round}/${rounds} done\n`);
    }
    const rows = [
      '| page | req/s | p50 ms | p99 ms | non-2xx/errors | bare req/s | ratio to bare |',
      '|---|---|---|---|---|---|---|',
    ];
    for (const p of pages) {
      const s = samples.get(p.label)!;
      const rps = median(s.page.map((x) => x.rps));
      const bareRps = median(s.bare.map((x) => x.rps));
      rows.push(
        `| ${p.label} | ${rps.toFixed(0)} | ${median(s.page.map((x) => x.p50))} | ${median(s.page.map((x) => x.p99))} | ${s.page.reduce((n, x) => n + x.bad, 0)} | ${bareRps.toFixed(0)} | ${(rps / bareRps).toFixed(2)} |`,
      );
    }
    const mem = rssOf(portal.child.pid!);
    const files = sizeOf(path.join(dataDir, 'db'));
    process.stdout.write(
      `\n${rows.join('\n')}\n\nRSS at the end: portal ${mem.self.toFixed(0)} MB, embedded database ${mem.children.toFixed(0)} MB` +
        ` (data files ${files.toFixed(0)} MB: ${(mem.children / Math.max(files, 1)).toFixed(2)}×); page cache ${process.env.PAGE_CACHE_MS ?? 'default (1000 ms)'}\n`,
    );
  } finally {
    bare.child.kill('SIGTERM');
    portal.child.kill('SIGTERM');
    await Promise.all([bare.child, portal.child].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    if (!given) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
