/**
 * ASEM members: reference data and the member directory.
 */
import type { PortalModule } from '../../web/context';
import { seedAsemMembers } from './service';
import { directoryRouter } from './routes';

export { AsemMember } from './model';
export { listAsemMembers, asemMemberOptions, findAsemMember, isAsemMemberCode, seedAsemMembers, type AsemMemberView } from './service';
export { listedCompanyCounts } from './directory';

export const membersModule: PortalModule = {
  name: 'members',
  router() {
    return directoryRouter();
  },
  async onStart(ctx) {
    const added = await seedAsemMembers();
    if (added) ctx.logger.info({ added }, 'ASEM members seeded');
  },
};
