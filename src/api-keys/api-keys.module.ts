import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { ApiKeysService } from './api-keys.service';

/**
 * API keys as every process knows them: resolving a presented key, and what a key's revocation stops (the
 * schedules, webhooks and workflow triggers it set running, which their own modules register). The routes are in ApiKeysHttpModule.
 */
@Module({
  imports: [UsersModule],
  providers: [ApiKeysService],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
