/**
 * What start-up may skip (src/web/start-up.ts): a run marker left behind (no clean shutdown) makes
 * the next start run the repairs after a crash; a pass recorded at the current version is skipped
 * until the version changes; without a run (tests, tools) everything runs.
 */
import mongoose from 'mongoose';
import pino from 'pino';
import { connectTestDb, disconnectTestDb } from '../../helpers/db';
import { beginRun, onceForVersion, repairsNeeded } from '../../../src/web/start-up';
import { progressLine } from '../../../src/demo/generate';

const logger = pino({ level: 'silent' });

beforeAll(async () => {
  await connectTestDb();
});
afterAll(async () => {
  await disconnectTestDb();
});

test('a run that ends cleanly leaves nothing; one that does not makes the next start repair', async () => {
  const runs = mongoose.connection.db!.collection('portal_runs');
  const first = await beginRun(mongoose.connection, logger);
  expect(first.state.afterCrash).toBe(false);
  expect(repairsNeeded(first.state)).toBe(false);
  await first.startedUp();
  await first.end();
  expect(await runs.countDocuments({})).toBe(0);

  const crashed = await beginRun(mongoose.connection, logger); // never ends: as after kill -9
  await crashed.startedUp();
  const next = await beginRun(mongoose.connection, logger);
  expect(next.state.afterCrash).toBe(true);
  expect(repairsNeeded(next.state)).toBe(true);
  await next.startedUp(); // the repairs are done: the dead run's marker goes
  expect(await runs.countDocuments({})).toBe(1);
  await next.end();
  const after = await beginRun(mongoose.connection, logger);
  expect(after.state.afterCrash).toBe(false);
  await after.end();
  await crashed.end();
});

test('a pass runs once per version, and always without a run', async () => {
  const run = await beginRun(mongoose.connection, logger);
  let passes = 0;
  const pass = async () => ++passes;
  expect(await onceForVersion(run.state, 'demo-pass', 1, pass, 0)).toBe(1);
  expect(await onceForVersion(run.state, 'demo-pass', 1, pass, 0)).toBe(0);
  expect(passes).toBe(1);
  // A new version (or an older one after a rollback) runs the pass again.
  expect(await onceForVersion(run.state, 'demo-pass', 2, pass, 0)).toBe(2);
  expect(await onceForVersion(run.state, 'demo-pass', 2, pass, 0)).toBe(0);
  // Tools that must check everything still record what they reached.
  expect(await onceForVersion({ ...run.state, skipDoneVersions: false }, 'demo-pass', 2, pass, 0)).toBe(3);
  // No run at all (tests, tools): the pass runs every time.
  expect(await onceForVersion(undefined, 'demo-pass', 2, pass, 0)).toBe(4);
  expect(repairsNeeded(undefined)).toBe(true);
  await run.end();
});

test('the demo data progress bar', () => {
  expect(progressLine('board posts', 90_000, 200_000)).toBe('board posts [##############................]  45 % 90,000 / 200,000');
  expect(progressLine('messages', 5, 0)).toBe('messages [##############################] 100 % 5 / 0');
});
