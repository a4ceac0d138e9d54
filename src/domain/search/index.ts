/** Full-text search over published posts. */

export {
  highlight,
  MAX_QUERY_LENGTH,
  parseQuery,
  type SearchInput,
  type SearchResult,
  SearchService,
} from './search-service.js';
