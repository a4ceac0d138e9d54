/** A command line that cannot be run as written; the CLI prints it with the help text. */
export class UsageError extends Error {}
