/**
 * ASEM members: the reference data, seeded at start-up (the directory pages are the directory module's).
 */
import type { PortalModule } from '../../web/context';
import { seedAsemMembers } from './service';

export const membersModule: PortalModule = {
  name: 'members',
  async onStart(ctx) {
    const added = await seedAsemMembers();
    if (added) ctx.logger.info({ added }, 'ASEM members seeded');
  },
};
