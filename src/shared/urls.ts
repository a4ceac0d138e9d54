/**
 * The public site's URL scheme, in one place. Every page URL ends in a slash, so that a
 * static export can write `slug/index.html` and the same links keep working.
 */
export const urls = {
  home: (page = 1) => (page > 1 ? `/page/${page}/` : '/'),
  post: (slug: string) => `/${slug}/`,
  category: (slug: string, page = 1) => `/category/${slug}/${page > 1 ? `page/${page}/` : ''}`,
  tag: (slug: string, page = 1) => `/tag/${slug}/${page > 1 ? `page/${page}/` : ''}`,
  author: (slug: string, page = 1) => `/author/${slug}/${page > 1 ? `page/${page}/` : ''}`,
  comments: () => '/comments',
  setup: (token: string) => `/setup/${token}`,
};
