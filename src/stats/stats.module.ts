import { Module } from '@nestjs/common';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** The console's dashboard; the task statistics come from the tasks feature (TaskStats). */
@Module({ controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
