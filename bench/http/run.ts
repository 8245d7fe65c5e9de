/**
 * HTTP benchmark of the portal's public pages: the real app on the embedded database (in a child
 * process, as `npm start` runs it), loaded with autocannon. Prints requests/s and latency per page,
 * to compare within one run (the machine varies ±25 % from run to run).
 *
 *   npm run bench:http [-- --seconds 10 --connections 50]
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { connectDatabase } from '../../src/db';
import { createApp } from '../../src/app';
import { createMailer } from '../../src/web/mail';
import { createFileStore } from '../../src/web/files';
import { DEFAULT_RATE_LIMITS, type AppContext } from '../../src/web/context';
import { portalModules } from '../../src/modules';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 8);
  const connections = arg('connections', 50);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-bench-'));
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-01', DATA_DIR: dataDir, UPLOAD_DIR: path.join(dataDir, 'uploads'), PORT: '0', LOG_LEVEL: 'silent' });
  const logger = pino({ level: 'silent' });
  const db = await connectDatabase({ dataDir, logger });
  const mailer = createMailer({ from: config.mailFrom, outboxDir: path.join(dataDir, 'mail'), logger });
  const ctx: AppContext = { config, logger, mailer, files: createFileStore(config, db.connection), connection: db.connection, rateLimits: DEFAULT_RATE_LIMITS, now: () => new Date() };
  for (const mod of portalModules) await mod.onStart?.(ctx);
  const server = http.createServer(createApp(ctx));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const pages = ['/healthz', '/', '/fair', '/practices', '/board', '/members', '/members/CN', '/login'];
  const rows: string[] = [];
  process.stdout.write(`Portal HTTP benchmark: ${connections} connections, ${seconds} s per page, ${os.cpus().length} cores\n\n`);
  for (const page of pages) {
    const result = await autocannon({ url: `http://127.0.0.1:${port}${page}`, connections, duration: seconds });
    const non2xx = result.non2xx;
    rows.push(
      `| ${page.padEnd(12)} | ${result.requests.average.toFixed(0).padStart(7)} | ${String(result.latency.p50).padStart(6)} | ${String(result.latency.p99).padStart(6)} | ${String(non2xx).padStart(6)} |`,
    );
  }
  process.stdout.write('| page         |  req/s  | p50 ms | p99 ms | non-2xx |\n|--------------|---------|--------|--------|--------|\n');
  process.stdout.write(rows.join('\n') + '\n');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await mailer.close();
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
