/** Roles and what each may do: a leaf of the domain, read by accounts, posts, media and comments. */
export { assignableRoles, type Capability, can, capabilities, capabilitiesByRole } from './capabilities.js';
