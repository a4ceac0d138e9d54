/**
 * Hearth's layers, checked by `npm run lint` (dependency-cruiser). From the bottom:
 *   shared/, errors.ts, config.ts   plain helpers
 *   storage/                        the database (only storage/dialects/ knows the drivers)
 *   content/                        write-time Markdown pipeline
 *   domain/                         the services; each module's index.ts is its door
 *   render/                         view models, themes, page cache
 *   http/, cli/                     the faces
 *   services.ts, main.ts            the composition root
 * A rule's `from` may not import its `to`. Type-only imports count: a type names a layer too.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-below-faces',
      severity: 'error',
      comment: 'The domain knows nothing of HTTP, rendering, the CLI or how it is composed.',
      from: { path: '^src/domain/' },
      to: { path: '^src/(http|render|cli)/|^src/(main|services)\\.ts$' },
    },
    {
      name: 'content-below-domain',
      severity: 'error',
      comment: 'The Markdown pipeline runs at write time, below the domain: it uses shared helpers only.',
      from: { path: '^src/content/' },
      to: { path: '^src/(domain|storage|render|http|cli)/|^src/(main|services)\\.ts$' },
    },
    {
      name: 'storage-below-domain',
      severity: 'error',
      comment: 'Storage knows tables and dialects, not services or pages.',
      from: { path: '^src/storage/' },
      to: { path: '^src/(domain|content|render|http|cli)/|^src/(main|services)\\.ts$' },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'shared/ helpers stand alone (the error registry aside).',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/|^src/errors\\.ts$' },
    },
    {
      name: 'render-below-faces',
      severity: 'error',
      comment: 'Rendering turns domain data into pages; it does not know routes, the CLI or the composition.',
      from: { path: '^src/render/' },
      to: { path: '^src/(http|cli)/|^src/(main|services)\\.ts$' },
    },
    {
      name: 'http-not-main',
      severity: 'error',
      comment: 'main.ts builds the server; the server never reaches back for it.',
      from: { path: '^src/http/' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'http-services-type-only',
      severity: 'error',
      comment: 'HTTP plugins are handed their services; they may name the Services type, never build them.',
      from: { path: '^src/http/' },
      to: { path: '^src/services\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'faces-through-doors',
      severity: 'error',
      comment: 'HTTP, the CLI, rendering and the composition use a domain or content module through its index.ts only.',
      from: { path: '^src/(http|cli|render)/|^src/(main|services)\\.ts$' },
      to: { path: '^src/(domain|content)/[^/]+/', pathNot: '^src/(domain|content)/[^/]+/index\\.ts$' },
    },
    {
      name: 'modules-through-doors',
      severity: 'error',
      comment: "A domain module uses another domain or content module through that module's index.ts only.",
      from: { path: '^src/domain/([^/]+)/' },
      to: {
        path: '^src/(domain|content)/[^/]+/',
        pathNot: ['^src/domain/$1/', '^src/(domain|content)/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'drivers-in-dialects',
      severity: 'error',
      comment: 'Only storage/dialects/ knows the database drivers (better-sqlite3, pg and its parts).',
      from: { pathNot: '^src/storage/dialects/' },
      to: {
        path: '(^|/)node_modules/(@types/)?(better-sqlite3|pg|pg-pool|pg-cursor|pg-protocol|pg-connection-string)/',
      },
    },
    {
      name: 'faces-read-storage-types-only',
      severity: 'error',
      comment:
        'HTTP and rendering reach the database through the domain; they may name storage types (rows, roles) only.',
      from: { path: '^src/(http|render)/' },
      to: { path: '^src/storage/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dialects-through-storage',
      severity: 'error',
      comment: 'Outside storage/, nothing reaches the dialects: they are wired by storage/database.ts.',
      from: { path: '^src/', pathNot: '^src/storage/' },
      to: { path: '^src/storage/dialects/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
