/**
 * Rate limits whose counters live in the database, so they hold across processes and restarts.
 * A limiter is created on its first use (creating one makes its indexes: no I/O when the app is built).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitRule } from './context';
import { TooManyRequestsError, type Actor } from '../kernel';

export interface RateLimiter {
  /** Counts one attempt for the key; throws TooManyRequestsError when over the limit. */
  consume(key: string): Promise<void>;
  /** Forgets the key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
  middleware(keyOf: (req: Request) => string): (req: Request, res: Response, next: NextFunction) => void;
}

export function createRateLimiter(connection: Connection, name: string, rule: RateLimitRule): RateLimiter {
  let limiter: RateLimiterMongo | undefined;
  const get = (): RateLimiterMongo => {
    limiter ??= new RateLimiterMongo({
      storeClient: connection.getClient(),
      dbName: connection.db?.databaseName,
      tableName: 'rate_limits',
      keyPrefix: name,
      points: rule.points,
      duration: rule.durationSeconds,
    });
    return limiter;
  };
  const consume = async (key: string): Promise<void> => {
    try {
      await get().consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new TooManyRequestsError(Math.ceil(err.msBeforeNext / 1000));
      throw err;
    }
  };
  return {
    consume,
    reset: async (key) => {
      await get().delete(key);
    },
    middleware: (keyOf) => (req, _res, next) => {
      consume(keyOf(req)).then(() => next(), next);
    },
  };
}

/** Accounts younger than this post at a limited rate (spam from fresh sign-ups); older ones are trusted. */
export const NEW_ACCOUNT_MS = 7 * 24 * 3600 * 1000;

/** The one budget for new accounts' posts, shared by the board and messages (keyed by user id). */
export function createPostingLimiter(connection: Connection, rule: RateLimitRule): RateLimiter {
  return createRateLimiter(connection, 'posting', rule);
}

/** The posting rule: a post by an account younger than NEW_ACCOUNT_MS counts against its budget (429 when spent). */
export async function checkPostingLimit(limiter: RateLimiter | undefined, actor: Pick<Actor, 'id' | 'createdAt'>, now: Date): Promise<void> {
  if (!limiter) return;
  if (now.getTime() - new Date(actor.createdAt).getTime() >= NEW_ACCOUNT_MS) return;
  await limiter.consume(actor.id);
}
