import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysModule } from './api-keys.module';

/** `/api-keys`: create, list and revoke, where the API is served. */
@Module({
  imports: [ApiKeysModule],
  controllers: [ApiKeysController],
})
export class ApiKeysHttpModule {}
