/**
 * What one request (or any piece of work) asks of the database, seen through the driver's command
 * monitoring: the commands sent ("find private_messages") and how many documents came back in
 * cursor batches. The app must be connected with `monitorCommands=true` in its URI (see
 * `monitoredTestApp`). Not timed.
 */
import mongoose from 'mongoose';
import type { CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import { createTestApp, type TestApp, type TestAppOptions } from './app';
import { testDbUri } from './db';

/** Commands that are not a page's own work: the driver's housekeeping. */
const IGNORED_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo']);
/** The mail sender's outbox polling and daily tally, the caches' once-a-second stamp check, the session store. */
const IGNORED_COLLECTIONS = new Set(['mail_outbox', 'mail_daily', 'cache_versions', 'sessions']);

export interface Reads {
  /** "command collection", sorted. */
  commands: string[];
  /** Documents returned in cursor batches (find, aggregate, getMore). */
  documents: number;
}

export async function monitoredTestApp(prefix: string, opts: TestAppOptions = {}): Promise<TestApp> {
  const uri = new URL(testDbUri(prefix));
  uri.searchParams.set('monitorCommands', 'true');
  return createTestApp({ ...opts, dbUri: uri.toString() });
}

function collectionOf(e: CommandStartedEvent): string {
  const target = e.commandName === 'getMore' ? (e.command.collection as unknown) : (e.command[e.commandName] as unknown);
  return typeof target === 'string' ? target : '';
}

/** Runs `work` and returns the commands it sent and the documents it was sent back. */
export async function readsOf(work: () => Promise<unknown>): Promise<Reads> {
  const commands: string[] = [];
  const counted = new Set<number>();
  let documents = 0;
  const onStarted = (e: CommandStartedEvent) => {
    if (IGNORED_COMMANDS.has(e.commandName)) return;
    const collection = collectionOf(e);
    if (IGNORED_COLLECTIONS.has(collection)) return;
    commands.push(`${e.commandName} ${collection}`);
    counted.add(e.requestId);
  };
  const onSucceeded = (e: CommandSucceededEvent) => {
    if (!counted.has(e.requestId)) return;
    const cursor = (e.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } } | undefined)?.cursor;
    documents += cursor?.firstBatch?.length ?? cursor?.nextBatch?.length ?? 0;
  };
  const client = mongoose.connection.getClient();
  client.on('commandStarted', onStarted);
  client.on('commandSucceeded', onSucceeded);
  try {
    await work();
  } finally {
    client.off('commandStarted', onStarted);
    client.off('commandSucceeded', onSucceeded);
  }
  return { commands: commands.sort(), documents };
}
