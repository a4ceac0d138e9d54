/** The audit log: who did what in the admin, and when. */

export { type Actor, type AuditAction, type AuditEvent, AuditLog, type AuditRecord } from './audit-log.js';
