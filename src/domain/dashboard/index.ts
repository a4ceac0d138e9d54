/** The admin dashboard's reads. */

export { type Dashboard, type DashboardComment, type DashboardPost, DashboardReads } from './dashboard-reads.js';
