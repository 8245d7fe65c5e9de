/**
 * Allocation under load, on the embedded database (child process, as `npm start` runs it):
 *
 * - spread: N endorsed requests of different companies approved at once, each with its own booth
 *   (all succeed) — allocations per second and latency percentiles;
 * - contention: K approvals at once for the same booth (exactly one succeeds) — how long until
 *   all K have their answer;
 * - floor plan: the time to build /fair's plan data for the hall.
 *
 *   npx tsx bench/fair/allocation.ts [-- --spread 60 --contention 50]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import pino from 'pino';
import { connectDatabase } from '../../src/db';
import { createMailer } from '../../src/web/mail';
import { seedAsemMembers } from '../../src/modules/members';
import { Company, User } from '../../src/modules/accounts/model';
import { Booth, BoothAssignment, BoothRequest, FairEdition, QuotaCounter } from '../../src/modules/fair';
import { ensureFairIndexes } from '../../src/modules/fair/model';
import { listBooths } from '../../src/modules/fair/booths';
import { seedFirstEdition } from '../../src/modules/fair/seed';
import { boothHoldings } from '../../src/modules/fair/holdings';
import { createFairService } from '../../src/modules/fair/service';
import { diskFileStore } from '../../src/web/files';
import { buildFloorPlan } from '../../src/modules/fair/floorplan';
import type { Actor } from '../../src/kernel';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const spread = Math.min(60, arg('spread', 60));
  const contention = arg('contention', 50);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'asem-fair-bench-'));
  const logger = pino({ level: 'silent' });
  const db = await connectDatabase({ dataDir, logger });
  const mailer = createMailer({ from: 'bench@localhost', outboxDir: path.join(dataDir, 'mail'), logger });
  // No mail is wanted here: the bench measures the allocation, not the SMTP round trips.
  const fair = createFairService({ mailer: { ...mailer, notify: async () => undefined }, files: diskFileStore(path.join(dataDir, 'uploads')), clock: () => new Date(), baseUrl: 'http://bench' });
  await seedAsemMembers();
  await ensureFairIndexes();
  const edition = (await seedFirstEdition(new Date()))!;
  await FairEdition.updateOne({ _id: edition._id }, { $set: { defaultQuota: 1000 } });
  const organizerDoc = await User.create({ email: 'org@bench', name: 'Organizer', passwordHash: 'x', role: 'organizer' });
  const organizer: Actor = { id: String(organizerDoc._id), role: 'organizer', name: 'Organizer', email: 'org@bench', language: 'en', member: null, companyId: null, createdAt: new Date() };
  const members = ['CN', 'DE', 'FR', 'JP', 'KR', 'IT', 'VN', 'TH', 'SG', 'MY'];

  async function endorsed(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const member = members[i % members.length]!;
      const user = await User.create({ email: `m${i}-${new Types.ObjectId()}@bench`, name: `M${i}`, passwordHash: 'x', role: 'member', member });
      const company = await Company.create({ name: `Company ${i}`, member, sector: 'food', size: 'small', owner: user._id });
      const r = await BoothRequest.create({ edition: edition._id, company: company._id, companyName: company.name, member, requester: user._id, contactName: 'x', phone: '+86 1234567', products: 'p', boothCount: 1, status: 'endorsed', active: true, submittedAt: new Date(), timeline: [] });
      ids.push(String(r._id));
    }
    return ids;
  }

  const booths = await Booth.find({ edition: edition._id }).sort({ code: 1 }).lean();
  const ids = await endorsed(spread);
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    ids.map(async (id, i) => {
      const s = performance.now();
      await fair.approve(organizer, id, { booths: [String(booths[i]!._id)] });
      latencies.push(performance.now() - s);
    }),
  );
  const spreadMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);

  await BoothRequest.deleteMany({});
  await BoothAssignment.deleteMany({});
  await QuotaCounter.deleteMany({});
  const racing = await endorsed(contention);
  const c0 = performance.now();
  const results = await Promise.allSettled(racing.map((id) => fair.approve(organizer, id, { booths: [String(booths[0]!._id)] })));
  const contentionMs = performance.now() - c0;
  const won = results.filter((r) => r.status === 'fulfilled').length;

  const p0 = performance.now();
  const rounds = 50;
  for (let i = 0; i < rounds; i++) buildFloorPlan(edition, await listBooths(edition._id), await boothHoldings(edition._id));
  const planMs = (performance.now() - p0) / rounds;

  process.stdout.write(`Fair allocation benchmark (${os.cpus().length} cores, embedded database, file-backed)\n\n`);
  process.stdout.write(`| scenario | figure |\n|---|---|\n`);
  process.stdout.write(`| ${spread} approvals at once, distinct booths | ${((spread / spreadMs) * 1000).toFixed(0)} allocations/s; p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms |\n`);
  process.stdout.write(`| ${contention} approvals at once, same booth | ${won} succeeded (must be 1); all answered in ${contentionMs.toFixed(0)} ms |\n`);
  process.stdout.write(`| floor plan data for ${booths.length} booths | ${planMs.toFixed(1)} ms per build (2 queries) |\n`);
  await mailer.close();
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (won !== 1) process.exit(1);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
