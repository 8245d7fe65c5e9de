/**
 * Accounts: registration, e-mail verification, login, password reset, the account page.
 */
import { Router } from 'express';
import { oncePerContext, type PortalModule } from '../../web/context';
import { accountRouter } from './account.routes';
import { loginRouter } from './login.routes';
import { registrationRouter } from './registration.routes';
import { createAccountsService, ensureFirstOrganizer } from './service';
import { migrateOfficialCompanies } from './administration';
import { onceForVersion } from '../../web/start-up';
import { invitationsDeskCount, invitationsDeskItems } from './desk';

const accountsService = oncePerContext((ctx) => createAccountsService({ mailer: ctx.mailer, clock: ctx.now, baseUrl: ctx.config.baseUrl }));

export const accountsModule: PortalModule = {
  name: 'accounts',
  router(ctx) {
    const accounts = accountsService(ctx);
    const router = Router();
    router.use(loginRouter(ctx, accounts));
    router.use(registrationRouter(ctx, accounts));
    router.use(accountRouter(accounts));
    return router;
  },
  deskItems: (ctx, actor) => invitationsDeskItems(actor, ctx.now()),
  deskCount: (_ctx, actor) => invitationsDeskCount(actor),
  async onStart(ctx) {
    const created = await ensureFirstOrganizer({ admin: ctx.config.admin, isProduction: ctx.config.isProduction, logger: ctx.logger, now: ctx.now() });
    if (created?.password) {
      // Printed once, on the console only: the operator needs it to sign in the first time.
      process.stdout.write(`\nOrganizer account created: ${created.email} / ${created.password}\nSign in at ${ctx.config.baseUrl}/login and change the password on /account.\n\n`);
    } else if (created) {
      ctx.logger.info({ email: created.email }, 'organizer account ready');
    }
    // Liaisons once had to register a placeholder company: officials are no SMEs.
    const migrated = await onceForVersion(ctx.startUp, 'official-companies', 1, () => migrateOfficialCompanies(ctx.now()), 0);
    if (migrated) ctx.logger.info({ migrated }, 'officials detached from placeholder companies');
  },
};
