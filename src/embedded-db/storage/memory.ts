/**
 * Storage for in-memory mode (tests, and runs without --dbpath): nothing is kept, every call
 * succeeds at once. The engine behaves identically otherwise.
 */
import type { EngineState, JournalRecord, LoadedState, Storage } from './types';

export class MemoryStorage implements Storage {
  async open(): Promise<LoadedState> {
    return { snapshot: null, records: [] };
  }

  async append(_batch: JournalRecord[]): Promise<void> {
    // Nothing to make durable in memory mode.
  }

  journalSize(): number {
    return 0;
  }

  async compact(_state: EngineState): Promise<void> {
    // Nothing to compact in memory mode.
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
