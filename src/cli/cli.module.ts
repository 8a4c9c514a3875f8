import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../common/crypto/crypto.module';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';
import { UsersModule } from '../users/users.module';

/**
 * Just what operator commands need: the database, users and the audit log, and Redis, through which a
 * change to a user reaches the running processes' caches; no HTTP, no queues.
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, RedisModule, CryptoModule, AuditModule, UsersModule],
    };
  }
}
