/**
 * Rate limits whose counters live in the database, so they hold across processes and restarts.
 * A limiter is created on its first use (creating one makes its indexes: no I/O when the app is built).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Connection } from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitRule } from './context';
import { TooManyRequestsError } from '../kernel';

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
