import { Module } from '@nestjs/common';
import { PasswordService } from '../auth/password.service';
import { RefreshTokenRepository } from '../auth/refresh-tokens';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, PasswordService, RefreshTokenRepository, AdminBootstrapService],
  exports: [UsersService, PasswordService, RefreshTokenRepository, AdminBootstrapService],
})
export class UsersModule {}
