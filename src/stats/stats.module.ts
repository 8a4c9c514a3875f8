import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/**
 * The console's dashboard; the task statistics come from the tasks feature (TaskStats), the circuit breakers'
 * states through CircuitBreakers.
 */
@Module({ imports: [AgentsModule], controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
