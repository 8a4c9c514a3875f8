/**
 * What other features may use of the refresh tokens: the users' service revokes a user's tokens in the
 * transaction that changes the user (a password reset, a new role, a deactivation).
 */
export { RefreshTokenRepository } from './persistence/refresh-token.repository';
