import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { UsersService } from '../users/users.service';
import { CliModule } from './cli.module';

export interface CreateAdminResult {
  id: string;
  email: string;
  generatedPassword?: string;
}

/** Creates an admin account; without a password, a random one is generated and returned once. */
export async function createAdmin(
  config: AppConfig,
  email: string,
  password?: string,
  name = 'Administrator',
): Promise<CreateAdminResult> {
  if (password !== undefined && (password.length < 12 || password.length > 128)) {
    throw new Error('The password must be 12 to 128 characters');
  }
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  try {
    const generatedPassword = password ? undefined : randomBytes(18).toString('base64url');
    const user = await app
      .get(UsersService)
      .create({ email, password: password ?? generatedPassword!, name, role: 'admin' }, 'user.create_admin_cli');
    return { id: user.id, email: user.email, generatedPassword };
  } finally {
    await app.close();
  }
}
