import { IdentityAndAudit1763900000000 } from './1763900000000-identity-and-audit';

/** Every migration in the order it was written; the app, the CLI and the tests run this list. */
export const MIGRATIONS: Function[] = [IdentityAndAudit1763900000000];
