/** Every migration in the order it was written; the app, the CLI and the tests run this list. */
export const MIGRATIONS: Function[] = [];
