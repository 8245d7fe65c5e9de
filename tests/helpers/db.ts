/**
 * A database name of its own for each test file, on the run's shared server.
 */
import { randomBytes } from 'node:crypto';

export function testDbUri(prefix = 't'): string {
  const base = process.env.TEST_MONGODB_BASE_URI;
  if (!base) throw new Error('TEST_MONGODB_BASE_URI is not set: run the tests through jest (tests/helpers/global-setup.ts)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
