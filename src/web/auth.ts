/**
 * Who is asking. The session keeps a user's id and authVersion; each request loads the user and
 * turns it into an Actor — the plain object that routes pass to services, which make every role
 * and ownership decision themselves (views only hide what a service would refuse anyway).
 */
import type { NextFunction, Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import argon2 from 'argon2';
import { User, type Role, type UserDoc } from '../modules/accounts/model';
import type { Language } from './i18n';
import { ForbiddenError, UnauthenticatedError } from './errors';

export interface Actor {
  id: string;
  role: Role;
  name: string;
  email: string;
  language: Language;
  /** ASEM member code: the company's member (member) or the represented member (liaison). */
  member: string | null;
  companyId: string | null;
  createdAt: Date;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport's req.user is the Actor.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Actor {}
  }
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
  passport.deserializeUser((stored: SessionUser, done) => {
    if (!stored || typeof stored.id !== 'string' || !/^[a-f0-9]{24}$/.test(stored.id)) return done(null, false);
    User.findById(stored.id)
      .lean<UserDoc>()
      .then((user) => {
        // A suspension or password reset bumps authVersion: every older session ends here.
        if (!user || user.status !== 'active' || (user.authVersion ?? 0) !== stored.v) return done(null, false);
        done(null, toActor(user));
      })
      .catch(done);
  });
  return passport;
}

export function currentActor(req: Request): Actor | undefined {
  return req.user;
}

/** The signed-in actor, or UnauthenticatedError (the error handler redirects to /login). */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}

export function requireUser(req: Request, _res: Response, next: NextFunction): void {
  next(req.user ? undefined : new UnauthenticatedError());
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.user) return next(new UnauthenticatedError());
    next(roles.includes(req.user.role) ? undefined : new ForbiddenError());
  };
}

/** For services: refuse unless the actor has one of the roles. */
export function assertRole(actor: Actor | undefined, ...roles: Role[]): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError();
  if (!roles.includes(actor.role)) throw new ForbiddenError();
}
