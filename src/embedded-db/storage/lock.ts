/**
 * The dbPath lock file (`mongod.lock`, holding the owner's pid): one server per data directory,
 * because two engines appending to one journal would corrupt it. A lock left by a dead process
 * (kill -9, power loss) is taken over, so a crash never needs a manual clean-up.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const LOCK_FILE = 'mongod.lock';

export class DbPathLockedError extends Error {
  readonly code = 'EDBLOCKED';
  constructor(
    readonly dbPath: string,
    readonly ownerPid: number,
  ) {
    super(
      `dbPath ${dbPath} is in use by another embedded database server (pid ${ownerPid}, ${path.join(dbPath, LOCK_FILE)}); ` +
        'stop it first, or delete the lock file if that process is not a database server',
    );
    this.name = 'DbPathLockedError';
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else — still alive, still the owner.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const text = await fsp.readFile(file, 'utf8');
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isFinite(pid) ? pid : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Creates the lock atomically with its content: the pid goes into a private temp file that is
 * then hard-linked into place, so nobody ever sees an empty lock file and mistakes it for stale.
 */
export async function acquireLock(dbPath: string, onTakeOver?: (stalePid: number) => void): Promise<HeldLock> {
  const lockPath = path.join(dbPath, LOCK_FILE);
  const tmp = path.join(dbPath, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await fsp.writeFile(tmp, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fsp.link(tmp, lockPath);
        return makeHeld(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = await readPid(lockPath);
      if (owner === null) continue; // vanished between link and read: try again
      if (pidAlive(owner)) throw new DbPathLockedError(dbPath, owner);
      // Stale: move it aside under a unique name, then check we moved the stale one and not a
      // fresh lock another starter linked in the meantime (if so, put it back and give up).
      const aside = path.join(dbPath, `${LOCK_FILE}.stale.${process.pid}.${randomBytes(4).toString('hex')}`);
      try {
        await fsp.rename(lockPath, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = await readPid(aside);
      if (moved !== owner && moved !== null && pidAlive(moved)) {
        await fsp.link(aside, lockPath).catch(() => {});
        await fsp.unlink(aside).catch(() => {});
        throw new DbPathLockedError(dbPath, moved);
      }
      await fsp.unlink(aside).catch(() => {});
      onTakeOver?.(owner);
    }
    throw new Error(`could not take the lock ${lockPath}: it keeps changing under us`);
  } finally {
    await fsp.unlink(tmp).catch(() => {});
  }
}

function makeHeld(lockPath: string): HeldLock {
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      // Only remove the lock if it is still ours: never delete another server's lock.
      if ((await readPid(lockPath)) === process.pid) await fsp.unlink(lockPath).catch(() => {});
    },
  };
}
