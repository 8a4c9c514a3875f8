import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { validate } from 'class-validator';
import type { Role } from '../auth/permissions';
import type { AppConfig } from '../config/app-config';
import { CreateUserDto, SetPasswordDto } from '../users/dto/user.dto';
import { UserNotFoundError } from '../users/users.errors';
import { UsersService } from '../users/users.service';
import { CliModule } from './cli.module';

export interface UserPasswordResult {
  id: string;
  email: string;
  /** Set when no password was given: shown once, stored only as a hash. */
  generatedPassword?: string;
}

/** Where each field comes from on the command line; the password, from the setting the command reads. */
const SOURCES: Record<string, string> = {
  email: '--email',
  name: '--name',
  role: '--role',
};

/** The setting a command takes a password from: create-admin's ADMIN_PASSWORD, the others' NEW_PASSWORD. */
type PasswordSetting = 'ADMIN_PASSWORD' | 'NEW_PASSWORD';

/**
 * Refuses what the API refuses in the same fields (the same DTO and rules: an e-mail address in ASCII, not
 * quoted, a password of 12 to 128 characters, at least 5 of them different, …), one line per field, so that no
 * account made here could not have been made there.
 */
async function refuseInvalid<T extends object>(
  dto: new () => T,
  fields: Partial<T>,
  passwordFrom: PasswordSetting,
): Promise<void> {
  const errors = await validate(Object.assign(new dto(), fields), { forbidUnknownValues: true });
  if (!errors.length) return;
  const sources: Record<string, string> = { ...SOURCES, password: `password (${passwordFrom})` };
  throw new Error(
    errors
      .map(
        ({ property, constraints }) =>
          `Invalid ${sources[property] ?? property}: ${Object.values(constraints ?? {}).join('; ')}`,
      )
      .join('\n'),
  );
}

async function withUsers<T>(config: AppConfig, work: (users: UsersService) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    return await work(app.get(UsersService));
  } finally {
    // Closing chains the audit entry the command wrote.
    await app.close();
  }
}

const generated = () => randomBytes(18).toString('base64url');

/** Creates a user with a role; without a password, a random one is generated and returned once. Audited. */
export async function createUser(
  config: AppConfig,
  user: { email: string; role: Role; name?: string; password?: string },
  passwordFrom: PasswordSetting = 'NEW_PASSWORD',
): Promise<UserPasswordResult> {
  const generatedPassword = user.password ? undefined : generated();
  const fields = {
    email: user.email,
    password: user.password ?? generatedPassword!,
    name: user.name ?? (user.role === 'admin' ? 'Administrator' : user.email.split('@')[0]),
    role: user.role,
  };
  await refuseInvalid(CreateUserDto, fields, passwordFrom);
  const action = user.role === 'admin' ? 'user.create_admin_cli' : 'user.create_cli';
  const created = await withUsers(config, (users) => users.create(fields, action));
  return { id: created.id, email: created.email, generatedPassword };
}

/** Creates an admin account; without a password, a random one is generated and returned once. */
export function createAdmin(config: AppConfig, email: string, password?: string, name?: string) {
  return createUser(config, { email, role: 'admin', name, password }, 'ADMIN_PASSWORD');
}

/**
 * Sets a user's password (for an admin who lost theirs: the bootstrap password is shown only once). Every
 * token issued before stops working; audited as a password reset.
 */
export async function resetPassword(config: AppConfig, email: string, password?: string): Promise<UserPasswordResult> {
  const generatedPassword = password ? undefined : generated();
  await refuseInvalid(SetPasswordDto, { password: password ?? generatedPassword! }, 'NEW_PASSWORD');
  return withUsers(config, async (users) => {
    const user = await users.findByEmail(email.trim().toLowerCase());
    if (!user) throw new UserNotFoundError();
    await users.resetPassword(user.id, password ?? generatedPassword!);
    return { id: user.id, email: user.email, generatedPassword };
  });
}
