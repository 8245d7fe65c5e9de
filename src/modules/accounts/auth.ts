/**
 * Signing in: the passport strategy, session (de)serialisation and password hashing. The session keeps
 * a user's id and authVersion; each request loads the user and turns it into an Actor.
 */
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import argon2 from 'argon2';
import type { Actor, Language, Role } from '../../kernel';
import { User, type UserDoc } from './model';

/**
 * The account record the session's user was read from in this request, by actor: a page about the
 * signed-in person (/account) uses it instead of reading the account a second time. Held weakly:
 * it goes with the request's actor.
 */
const signedInRecords = new WeakMap<Actor, UserDoc>();

export function signedInRecord(actor: Actor): UserDoc | undefined {
  return signedInRecords.get(actor);
}

export function toActor(user: UserDoc): Actor {
  return {
    id: String(user._id),
    role: user.role as Role,
    name: user.name,
    email: user.email,
    language: (user.language as Language) ?? 'en',
    member: user.member ?? null,
    companyId: user.company ? String(user.company) : null,
    createdAt: (user as { createdAt?: Date }).createdAt ?? new Date(0),
  };
}

/** A stand-in hash so an unknown e-mail costs as much time as a wrong password (no enumeration by timing). */
let dummyHash: Promise<string> | undefined;

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  dummyHash ??= hashPassword('not-a-real-password-0');
  try {
    return await argon2.verify(hash ?? (await dummyHash), password);
  } catch {
    return false;
  }
}

/** Outcome of checking credentials; only a correct password reveals anything about the account. */
export type LoginOutcome = { ok: true; user: UserDoc } | { ok: false; reason: 'invalid' | 'unverified' | 'suspended'; userId?: string };

export async function checkCredentials(email: string, password: string): Promise<LoginOutcome> {
  const user = await User.findOne({ email: email.trim().toLowerCase() });
  const valid = await verifyPassword(user?.passwordHash, password);
  if (!user || !valid) return { ok: false, reason: 'invalid' };
  if (user.status === 'suspended') return { ok: false, reason: 'suspended' };
  if (!user.emailVerifiedAt) return { ok: false, reason: 'unverified', userId: String(user._id) };
  return { ok: true, user };
}

interface SessionUser {
  id: string;
  v: number;
}

export function configurePassport(): passport.PassportStatic {
  passport.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      checkCredentials(email, password)
        .then((outcome) => (outcome.ok ? done(null, toActor(outcome.user)) : done(null, false, { message: outcome.reason })))
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => {
    User.findById(user.id, { authVersion: 1 })
      .lean()
      .then((u) => done(null, { id: user.id, v: u?.authVersion ?? 0 } satisfies SessionUser))
      .catch(done);
  });
  /* The account record read here stays with the request's actor (see signedInRecord). */
  passport.deserializeUser((stored: SessionUser, done) => {
    if (!stored || typeof stored.id !== 'string' || !/^[a-f0-9]{24}$/.test(stored.id)) return done(null, false);
    User.findById(stored.id)
      .lean<UserDoc>()
      .then((user) => {
        // A suspension or password reset bumps authVersion: every older session ends here.
        if (!user || user.status !== 'active' || (user.authVersion ?? 0) !== stored.v) return done(null, false);
        const actor = toActor(user);
        signedInRecords.set(actor, user);
        done(null, actor);
      })
      .catch(done);
  });
  return passport;
}
