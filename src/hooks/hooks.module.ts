import { type DynamicModule, Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import type { AppRole } from '../config/app-config';
import { HookCalls } from './hook-calls';
import { HookCallsController } from './hook-calls.controller';
import { HooksController } from './hooks.controller';
import { HooksService } from './hooks.service';
import { InboundHookRepository } from './persistence/inbound-hook.repository';
import { UsersModule } from '../users/users.module';

/** Inbound hooks are HTTP only: managed and called where the API is served (their rate limits share Redis). */
@Module({})
export class HooksModule {
  static forRole(role: AppRole): DynamicModule {
    if (role === 'worker') return { module: HooksModule };
    return {
      module: HooksModule,
      imports: [AgentsModule, UsersModule],
      controllers: [HooksController, HookCallsController],
      providers: [InboundHookRepository, HooksService, HookCalls],
    };
  }
}
