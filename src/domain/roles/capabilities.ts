import type { Role } from '../../storage/index.js';

/** What a signed-in person may do. Routes declare the one they need; roles grant them. */
export type Capability =
  /** Open the admin at all: every role. */
  | 'access_admin'
  | 'edit_own'
  /** Upload photos into their own drafts, and see, use and change the photos they uploaded (issue 18). */
  | 'upload_own_media'
  | 'publish_own'
  | 'edit_any'
  | 'publish_any'
  /** See and use the whole photo library (besides uploading). */
  | 'upload_media'
  /** Make books from the blog's posts (issue 17). */
  | 'make_books'
  | 'manage_taxonomy'
  | 'moderate_comments'
  | 'manage_users'
  | 'manage_settings'
  | 'view_audit_log'
  /** See the blog's visits (issue 20): editors and above. */
  | 'view_analytics'
  /** The list of readers' email addresses: add, import, export, erase (issue 20): editors and above. */
  | 'manage_subscribers';

const contributor: Capability[] = ['access_admin', 'edit_own', 'upload_own_media'];
const author: Capability[] = [...contributor, 'publish_own', 'upload_media', 'make_books'];
const editor: Capability[] = [
  ...author,
  'edit_any',
  'publish_any',
  'manage_taxonomy',
  'moderate_comments',
  'view_analytics',
  'manage_subscribers',
];
const administrator: Capability[] = [...editor, 'manage_users', 'manage_settings', 'view_audit_log'];

/**
 * The roles writers know from WordPress and Ghost. A contributor writes drafts; an author
 * publishes their own posts; an editor publishes and edits everyone's and moderates
 * comments; an administrator also runs the site and its people; the owner is an
 * administrator who cannot be demoted or removed by one.
 */
export const capabilitiesByRole: Readonly<Record<Role, ReadonlySet<Capability>>> = {
  owner: new Set(administrator),
  administrator: new Set(administrator),
  editor: new Set(editor),
  author: new Set(author),
  contributor: new Set(contributor),
};

/** Whether a role grants a capability. @example can('author', 'publish_own') // true */
export function can(role: Role, capability: Capability): boolean {
  return capabilitiesByRole[role].has(capability);
}

/** Every capability, in the order of the table in docs/accounts.md. */
export const capabilities: Capability[] = [...administrator];

/** Roles that can be given by invitation or a role change (the owner is made at setup). */
export const assignableRoles: Role[] = ['administrator', 'editor', 'author', 'contributor'];
