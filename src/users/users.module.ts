import { Module } from '@nestjs/common';
import { PasswordService } from '../auth/password.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, PasswordService, AdminBootstrapService],
  exports: [UsersService, PasswordService, AdminBootstrapService],
})
export class UsersModule {}
