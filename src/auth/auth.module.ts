import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { LiveSessions } from './live-sessions';
import { AuthService } from './auth.service';
import { LoginSessions } from './login-sessions';
import { MfaService } from './mfa.service';
import { RecoveryCodeRepository } from './persistence/recovery-code.repository';
import { RefreshCookie } from './refresh-cookie';
import { jwtOptions, TokenService } from './token.service';

@Module({
  imports: [
    UsersModule,
    ApiKeysModule,
    JwtModule.registerAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => jwtOptions(config) }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    MfaService,
    RecoveryCodeRepository,
    TokenService,
    Authenticator,
    LoginSessions,
    AuthGuard,
    RefreshCookie,
    LiveSessions,
  ],
  exports: [TokenService, Authenticator, LoginSessions, AuthGuard, LiveSessions],
})
export class AuthModule {}
