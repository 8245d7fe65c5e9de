/**
 * The contract between the in-memory engine (collections, indexes, commands) and the storage
 * layer (journal, snapshots, lock file). The engine owns all data in memory; storage makes each
 * acknowledged change durable. A journal record is physical and idempotent: replaying a record
 * twice leaves the same state, so a crash between snapshot and journal reset is harmless.
 */
import type { Document } from 'bson';

/** An index as listIndexes reports it: { v: 2, key, name, unique?, sparse?, partialFilterExpression?, expireAfterSeconds? } */
export type IndexSpec = Document & { key: Document; name: string };

export type JournalRecord =
  | { t: 'put'; db: string; coll: string; doc: Document }
  | { t: 'del'; db: string; coll: string; id: unknown }
  | { t: 'createCollection'; db: string; coll: string; options: Document }
  | { t: 'dropCollection'; db: string; coll: string }
  | { t: 'dropDatabase'; db: string }
  | { t: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { t: 'dropIndex'; db: string; coll: string; name: string }
  | { t: 'renameCollection'; db: string; from: string; to: string };

export interface CollectionState {
  options: Document;
  indexes: IndexSpec[]; // without the implicit _id_ index
  docs: Document[];
}

/** Every database and collection, as a snapshot holds it. */
export interface EngineState {
  databases: Record<string, Record<string, CollectionState>>;
}

export interface LoadedState {
  /** The last snapshot, or null on a fresh dbpath. */
  snapshot: EngineState | null;
  /** Journal records written after that snapshot, in order; a torn tail already cut off. */
  records: JournalRecord[];
}

export interface Storage {
  /** Takes the lock, reads snapshot and journal. Call once, before anything else. */
  open(): Promise<LoadedState>;
  /**
   * Appends one batch (the changes of one write command, or of one document of it) as a single
   * framed record and resolves only once it is fsynced. Concurrent calls may share one fsync
   * (group commit). A batch is all-or-nothing on replay.
   */
  append(batch: JournalRecord[]): Promise<void>;
  /** Bytes written to the journal since the last snapshot: the engine compacts past a threshold. */
  journalSize(): number;
  /** Writes state as a new snapshot (temp file, fsync, atomic rename) and starts a fresh journal. */
  compact(state: EngineState): Promise<void>;
  /** Flushes and releases the lock. */
  close(): Promise<void>;
}
