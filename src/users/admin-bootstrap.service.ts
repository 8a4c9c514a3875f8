import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EmailTakenError } from './users.errors';
import { UsersService } from './users.service';

const BOOTSTRAP_LOCK = 72_0000_3;

export interface BootstrapAdmin {
  email: string;
  /** Only when it was generated here: shown once, never stored in clear. */
  generatedPassword?: string;
}

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when there is none (once, across processes). */
@Injectable()
export class AdminBootstrapService {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  async ensureAdmin(): Promise<BootstrapAdmin | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
      if (await this.users.adminExists()) return undefined;
      let password = this.config.auth.adminPassword;
      let generatedPassword: string | undefined;
      if (!password) {
        if (this.config.isProduction) {
          this.logger.warn(
            'No admin exists and ADMIN_PASSWORD is not set: create one with "npm run cli -- create-admin"',
          );
          return undefined;
        }
        password = generatedPassword = randomBytes(18).toString('base64url');
      }
      const email = this.config.auth.adminEmail;
      try {
        await this.users.create({ email, password, name: 'Administrator', role: 'admin' }, 'user.bootstrap_admin');
      } catch (err) {
        if (err instanceof EmailTakenError) {
          this.logger.warn(`No admin exists, but ${email} is taken by a non-admin user; bootstrap skipped`);
          return undefined;
        }
        throw err;
      }
      return { email, generatedPassword };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}
