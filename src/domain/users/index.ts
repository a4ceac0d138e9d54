/** Users: the owner, staff and guest writers; their profiles and passwords. */

export { hashPassword, verifyPassword } from './password.js';
export { isWebsite, type Profile, ProfileService } from './profile.js';
export {
  type Author,
  type AuthorRow,
  type AuthorWithAvatar,
  MIN_PASSWORD_LENGTH,
  type NewUserInput,
  passwordProblem,
  roles,
  toAuthor,
  UserService,
  validateNewUser,
} from './user-service.js';
