/**
 * Accounts: registration, e-mail verification, login, password reset, the account page.
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';
import { loginRouter } from './login.routes';
import { registrationRouter } from './registration.routes';
import { accountRouter } from './account.routes';
import { ensureFirstOrganizer } from './service';


export const accountsModule: PortalModule = {
  name: 'accounts',
  router(ctx) {
    const router = Router();
    router.use(loginRouter(ctx));
    router.use(registrationRouter(ctx));
    router.use(accountRouter(ctx));
    return router;
  },
  async onStart(ctx) {
    const created = await ensureFirstOrganizer({ admin: ctx.config.admin, isProduction: ctx.config.isProduction, logger: ctx.logger, now: ctx.now() });
    if (created?.password) {
      // Printed once, on the console only: the operator needs it to sign in the first time.
      process.stdout.write(`\nOrganizer account created: ${created.email} / ${created.password}\nSign in at ${ctx.config.baseUrl}/login and change the password on /account.\n\n`);
    } else if (created) {
      ctx.logger.info({ email: created.email }, 'organizer account ready');
    }
  },
};
