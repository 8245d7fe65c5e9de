/**
 * What start-up has to check, and what it may skip. Two kinds of start-up work read whole
 * collections, which at a busy year's size takes minutes:
 *
 * - **repairs after a crash** (e.g. thread counters left ahead of their posts by a kill -9 between
 *   two writes) are needed only when a process did not stop cleanly. Each running process keeps a
 *   marker in `portal_runs`, refreshed every minute and removed by a clean shutdown; a marker found
 *   at start-up means a process died (or another instance is running: then the repair runs too,
 *   which is harmless). After the repairs, the markers that were found are removed — a live
 *   instance puts its own back within a minute.
 * - **migrations to a new version of derived data** (HTML of a new Markdown renderer, search terms
 *   of a new tokeniser) are needed once per version: `onceForVersion` records in
 *   `start_up_versions` the version a complete pass reached, and skips the pass while the recorded
 *   version is the current one. New documents are always written at the current version.
 *
 * A context without `startUp` (tests, the demo-data command) runs every check, as before.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';

const RUNS = 'portal_runs';
const VERSIONS = 'start_up_versions';
const HEARTBEAT_MS = 60_000;

export interface StartUpState {
  /** A process stopped without a clean shutdown (or another instance is running). */
  readonly afterCrash: boolean;
  /** Skips passes whose version is already recorded (false: run every pass). */
  readonly skipDoneVersions: boolean;
  readonly connection: Connection;
}

interface RunMarker {
  _id: string;
  host: string;
  pid: number;
  startedAt: Date;
  seenAt: Date;
}

export interface Run {
  state: StartUpState;
  /** After the start-up work: forgets the markers of the runs found at start. */
  startedUp(): Promise<void>;
  /** A clean shutdown: removes this process's marker. */
  end(): Promise<void>;
}

/** Registers this process's run and tells whether an earlier one ended without a clean shutdown. */
export async function beginRun(connection: Connection, logger: Logger): Promise<Run> {
  const runs = connection.db!.collection<RunMarker>(RUNS);
  const found = await runs.find({}, { projection: { _id: 1 } }).toArray();
  const id = `${os.hostname()}:${process.pid}:${randomUUID()}`;
  const mark = () => runs.updateOne({ _id: id }, { $set: { host: os.hostname(), pid: process.pid, seenAt: new Date() }, $setOnInsert: { startedAt: new Date() } }, { upsert: true });
  await mark();
  const timer = setInterval(() => {
    mark().catch((err: unknown) => logger.warn({ err }, 'could not refresh this run’s marker'));
  }, HEARTBEAT_MS);
  timer.unref();
  if (found.length) logger.warn({ runs: found.length }, 'an earlier run did not stop cleanly (or another instance runs): start-up repairs run');
  return {
    state: { afterCrash: found.length > 0, skipDoneVersions: true, connection },
    async startedUp() {
      if (found.length) await runs.deleteMany({ _id: { $in: found.map((r) => r._id) } });
    },
    async end() {
      clearInterval(timer);
      await runs.deleteOne({ _id: id });
    },
  };
}

/** Whether start-up repairs after a crash must run (always, without a run: tests, tools). */
export function repairsNeeded(state: StartUpState | undefined): boolean {
  return state?.afterCrash ?? true;
}

/**
 * Runs `pass` unless a complete pass at this version is recorded; records the version after it.
 * Returns what the pass returned, or `skipped` when it did not run.
 */
export async function onceForVersion<T>(state: StartUpState | undefined, name: string, version: number, pass: () => Promise<T>, skipped: T): Promise<T> {
  const versions = state?.connection.db?.collection<{ _id: string; version: number; at: Date }>(VERSIONS);
  if (versions && state?.skipDoneVersions) {
    const done = await versions.findOne({ _id: name });
    if (done?.version === version) return skipped;
  }
  const result = await pass();
  if (versions) await versions.updateOne({ _id: name }, { $set: { version, at: new Date() } }, { upsert: true });
  return result;
}
