/**
 * The audit module's front door: every module records its organizer actions and booth decisions
 * here; the admin pages read the log. It sits at the bottom: it imports no other module.
 */
export { recordAudit, auditEntries, auditHistoryOf, type AuditEntryDoc } from './model';
