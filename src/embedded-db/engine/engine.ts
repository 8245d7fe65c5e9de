/**
 * The engine as a whole: the catalog of databases, open cursors, server parameters, the TTL
 * monitor and the storage it journals to. Commands call `commit` with the physical records of a
 * change they already applied in memory; it resolves once the change is durable.
 */
import v8 from 'node:v8';
import type { Document } from 'bson';
import type { JournalRecord, Storage } from '../storage/types';
import { CursorRegistry } from '../cursors';
import { Catalog } from './catalog';
import { TtlMonitor } from '../ttl';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Journal bytes after which the engine writes a snapshot and starts a fresh journal. */
export const COMPACT_THRESHOLD_BYTES = 64 * 1024 * 1024;

export interface EngineOptions {
  /**
   * Start with `notablescan` on, applied only to collections holding more than this many
   * documents (0: every collection, as MongoDB's own setting).
   */
  notablescanAbove?: number;
}

export interface Counters {
  insert: number;
  query: number;
  update: number;
  delete: number;
  getmore: number;
  command: number;
}

export class Engine {
  readonly catalog = new Catalog();
  readonly cursors = new CursorRegistry();
  readonly ttl: TtlMonitor;
  readonly counters: Counters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
  readonly startedAt = Date.now();
  /** Logical sessions clients have used (by lsid), for $listLocalSessions. */
  readonly sessions = new Map<string, { id: unknown; lastUse: Date }>();
  private compacting: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly storage: Storage,
    readonly logger: Logger,
    private readonly compactThreshold = COMPACT_THRESHOLD_BYTES,
    options: EngineOptions = {},
  ) {
    this.ttl = new TtlMonitor(this);
    if (options.notablescanAbove !== undefined) {
      this.catalog.scanPolicy.notablescan = true;
      this.catalog.scanPolicy.minDocuments = options.notablescanAbove;
    }
  }

  async open(): Promise<void> {
    const t0 = performance.now();
    const loaded = await this.storage.open();
    const t1 = performance.now();
    const warn = (m: string): void => this.logger.warn(m);
    this.catalog.beginLoad();
    if (loaded.snapshot) this.catalog.loadSnapshot(loaded.snapshot, warn);
    const t2 = performance.now();
    for (const rec of loaded.records) this.catalog.apply(rec, warn);
    const t3 = performance.now();
    const built = this.catalog.endLoad(warn);
    const t4 = performance.now();
    if (loaded.snapshot || loaded.records.length > 0) {
      const ms = (a: number, b: number): string => `${Math.round(b - a)} ms`;
      const slowest = built
        .filter((b) => b.ms >= 100)
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((b) => `${b.ns}.${b.name} ${b.entries} entries ${Math.round(b.ms)} ms`);
      this.logger.info(
        `embedded-db: loaded in ${ms(t0, t4)}: files read and decoded ${ms(t0, t1)}, snapshot applied ${ms(t1, t2)}, ` +
          `${loaded.records.length} journal records replayed ${ms(t2, t3)}, ${built.length} indexes built ${ms(t3, t4)}` +
          (slowest.length > 0 ? ` (slowest: ${slowest.join('; ')})` : '') +
          `; ${heapFigures()}`,
      );
    }
    this.cursors.start();
    this.ttl.start();
  }

  /** Makes already-applied changes durable; one call per write command (all-or-nothing). */
  async commit(records: JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.compacting) await this.compacting;
    await this.storage.append(records);
    this.maybeCompact();
  }

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.storage.journalSize() < this.compactThreshold) return;
    // The state is captured synchronously, so it holds exactly the changes applied so far.
    const state = this.catalog.toState();
    this.compacting = this.storage
      .compact(state)
      .catch((err: unknown) => this.logger.error(`compaction failed: ${(err as Error).message}`))
      .finally(() => {
        this.compacting = null;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ttl.stop();
    this.cursors.stop();
    if (this.compacting) await this.compacting;
    await this.storage.close();
  }

  /** Server parameters readable with getParameter and settable with setParameter. */
  readonly parameters: Document = { ttlMonitorSleepSecs: 60 };

  /** All parameters as getParameter reports them. */
  parameterValues(): Document {
    return { ...this.parameters, notablescan: this.catalog.scanPolicy.notablescan };
  }
}

/** The process's memory in a few figures, for the start-up log line. */
function heapFigures(): string {
  const h = v8.getHeapStatistics();
  const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`;
  const m = process.memoryUsage();
  return `heap ${mb(h.used_heap_size)} used of ${mb(h.total_heap_size)}, outside the heap ${mb(m.external)}, RSS ${mb(m.rss)}`;
}
