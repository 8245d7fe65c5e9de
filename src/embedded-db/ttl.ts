/**
 * The TTL monitor: every ttlMonitorSleepSecs (60 by default, as in MongoDB) it deletes documents
 * whose TTL-indexed date (the earliest one, for arrays) is older than expireAfterSeconds. It
 * reads the expired range straight from the index and journals the deletions like any write.
 */
import type { Document } from 'bson';
import type { JournalRecord } from './storage/types';
import type { Engine } from './engine/engine';
import { intervalPositions } from './engine/planner';

export class TtlMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;

  constructor(private readonly engine: Engine) {}

  private get sleepMs(): number {
    const secs = Number(this.engine.parameters.ttlMonitorSleepSecs);
    return Math.max(1, Number.isFinite(secs) ? secs : 60) * 1000;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Called when ttlMonitorSleepSecs changes, so a shorter period applies right away. */
  reschedule(): void {
    if (!this.stopped) this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.sleepMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.runOnce(Date.now());
    } catch (err) {
      this.engine.logger.error(`TTL monitor: ${(err as Error).message}`);
    } finally {
      this.running = false;
      if (!this.stopped) this.schedule();
    }
  }

  /** Deletes every expired document now; returns how many went. */
  async runOnce(now: number): Promise<number> {
    let deleted = 0;
    for (const colls of this.engine.catalog.dbs.values()) {
      for (const coll of colls.values()) {
        // Once the server is closing, storage may be gone: leave the rest for the next start.
        if (this.stopped) return deleted;
        const records: JournalRecord[] = [];
        for (const index of coll.indexes.values()) {
          const expire = index.expireAfterSeconds;
          if (expire === undefined) continue;
          const cutoff = new Date(now - expire * 1000);
          const [start, end] = intervalPositions(index, {
            lo: { edge: 'min', rank: 9, inclusive: true },
            hi: { value: cutoff, rank: 9, inclusive: true },
          });
          const ids = [...index.sorted.ids(start, end)];
          for (const id of ids) {
            const doc: Document | undefined = coll.docs.get(id);
            if (!doc) continue;
            coll.remove(doc);
            records.push({ t: 'del', db: coll.db, coll: coll.name, id: doc._id });
          }
        }
        if (records.length > 0) {
          deleted += records.length;
          await this.engine.commit(records);
        }
      }
    }
    return deleted;
  }
}
