import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller';
import { UsersModule } from '../users/users.module';
import { ApiKeysService } from './api-keys.service';

@Module({
  imports: [UsersModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
