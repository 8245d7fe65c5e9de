/**
 * The portal's database connection (src/db): the embedded database in a child process, started,
 * used through mongoose and stopped cleanly; the portal hears when that child dies; the child does
 * not outlive the portal (no orphan holding the dbPath lock); and a MONGODB_URI is used as given.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mongoose from 'mongoose';
import { connectDatabase, pingDatabase, type ProcessLogger } from '../../src/db';

jest.setTimeout(120_000);

const quiet: ProcessLogger = { info: () => {}, warn: () => {}, error: () => {} };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'edb-connect-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls with a generous deadline: how fast a process goes away depends on the machine. */
async function waitFor(cond: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('connectDatabase with the embedded database', () => {
  test('starts it in DATA_DIR/db, persists through mongoose, answers pings, stops cleanly', async () => {
    const Note = mongoose.model('DurabilityNote', new mongoose.Schema({ text: String }));
    const h1 = await connectDatabase({ dataDir, logger: quiet });
    expect(h1.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+$/);
    expect(mongoose.get('sanitizeFilter')).toBe(true);
    expect(await pingDatabase()).toBe(true);
    await Note.create({ text: 'kept across restarts' });
    expect(existsSync(path.join(dataDir, 'db', 'mongod.lock'))).toBe(true);
    await h1.stop();
    expect(await pingDatabase()).toBe(false);
    // A clean stop releases the lock.
    expect(existsSync(path.join(dataDir, 'db', 'mongod.lock'))).toBe(false);

    const h2 = await connectDatabase({ dataDir, logger: quiet });
    try {
      expect((await Note.find().lean()).map((n) => n.text)).toEqual(['kept across restarts']);
    } finally {
      await h2.stop();
    }
  });

  test('tells the portal when the database process dies', async () => {
    let died: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const errors: string[] = [];
    const h = await connectDatabase({
      dataDir,
      logger: { ...quiet, error: (_o: object, m?: string) => errors.push(m ?? '') },
      onEmbeddedExit: (code, signal) => {
        died = { code, signal };
      },
    });
    process.kill(h.pid!, 'SIGKILL');
    await waitFor(() => died !== null, 'the exit notice');
    expect(died).toEqual({ code: null, signal: 'SIGKILL' });
    expect(errors.join('\n')).toMatch(/died/);
    await h.stop();
  });

  test('the database process exits when its parent dies', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'db-parent.ts'), path.join(dataDir, 'db')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      readline.createInterface({ input: parent.stdout }).on('line', (line) => {
        const m = /^child (\d+)$/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !alive(pid), 'the orphaned database process to exit');
    // It stopped cleanly: the lock is released, so the next start needs no take-over.
    expect(existsSync(path.join(dataDir, 'db', 'mongod.lock'))).toBe(false);
  });
});

describe('connectDatabase with MONGODB_URI', () => {
  test('connects to the given server and starts nothing', async () => {
    const base = process.env.TEST_MONGODB_BASE_URI;
    if (!base) throw new Error('TEST_MONGODB_BASE_URI is not set: run through jest');
    const h = await connectDatabase({ mongodbUri: base, dataDir, logger: quiet });
    try {
      expect(h.uri).toBe(base);
      expect(await pingDatabase(h.connection)).toBe(true);
      expect(existsSync(path.join(dataDir, 'db'))).toBe(false);
      expect(mongoose.get('strictQuery')).toBe(true);
    } finally {
      await h.stop();
    }
  });
});
