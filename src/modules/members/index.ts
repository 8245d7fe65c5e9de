/**
 * ASEM members: reference data and the member directory.
 */
import { Router } from 'express';
import type { PortalModule } from '../../web/context';
import { seedAsemMembers } from './service';

export { AsemMember } from './model';
export { listAsemMembers, findAsemMember, isAsemMemberCode, seedAsemMembers, type AsemMemberView } from './service';

export const membersModule: PortalModule = {
  name: 'members',
  router() {
    return Router();
  },
  async onStart(ctx) {
    const added = await seedAsemMembers();
    if (added) ctx.logger.info({ added }, 'ASEM members seeded');
  },
};
