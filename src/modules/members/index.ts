/**
 * The members module's front door: the ASEM members, reference data at the bottom of the module
 * graph (it imports no other module).
 */
export {
  listAsemMembers,
  asemMemberOptions,
  findAsemMember,
  isAsemMemberCode,
  seedAsemMembers,
  addAsemMember,
  renameAsemMember,
  type AsemMemberView,
} from './service';
/** The version stamp of the members list (caches that show member names depend on it). */
export { MEMBERS_STAMP } from './model';
