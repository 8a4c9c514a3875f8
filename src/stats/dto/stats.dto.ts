import { ApiProperty } from '@nestjs/swagger';

export class StatusBucketDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the bucket' }) start!: Date;
  @ApiProperty({ minimum: 0 }) queued!: number;
  @ApiProperty({ minimum: 0 }) running!: number;
  @ApiProperty({ minimum: 0 }) retrying!: number;
  @ApiProperty({ minimum: 0 }) succeeded!: number;
  @ApiProperty({ minimum: 0 }) failed!: number;
  @ApiProperty({ minimum: 0 }) cancelled!: number;
  @ApiProperty({ minimum: 0 }) expired!: number;
}

export class AgentTypeDurationDto {
  @ApiProperty({ example: 'calculator' }) agentType!: string;
  @ApiProperty({ minimum: 0, description: 'Tasks of the type that finished in the window' }) finished!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: '95th percentile of finishedAt − startedAt in ms (null when none of them started)',
  })
  p95Ms!: number | null;
}

export class OutcomeWindowDto {
  @ApiProperty({ minimum: 0 }) succeeded!: number;
  @ApiProperty({ minimum: 0 }) failed!: number;
  @ApiProperty({ minimum: 0 }) cancelled!: number;
  @ApiProperty({ minimum: 0, description: 'Never started before their expiry time' }) expired!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: 'failed / (succeeded + failed) of the tasks that finished in the window; null when none did',
  })
  failureRate!: number | null;
  @ApiProperty({ type: [AgentTypeDurationDto] }) byAgentType!: AgentTypeDurationDto[];
}

export class QueueDepthDto {
  @ApiProperty({ minimum: 0 }) waiting!: number;
  @ApiProperty({ minimum: 0 }) prioritized!: number;
  @ApiProperty({ minimum: 0 }) active!: number;
  @ApiProperty({ minimum: 0 }) delayed!: number;
  @ApiProperty({ minimum: 0 }) failed!: number;
}

export class OpenBreakerDto {
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ enum: ['open', 'half-open'] }) state!: 'open' | 'half-open';
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the breaker took this state (null when the worker that opened it did not say)',
  })
  since!: Date | null;
}

export class StatsDto {
  @ApiProperty({
    enum: ['all', 'own'],
    description: 'all: every task (admins); own: the tasks the caller created',
  })
  scope!: 'all' | 'own';
  @ApiProperty({ format: 'date-time' }) generatedAt!: Date;
  @ApiProperty({
    type: [StatusBucketDto],
    description: 'Tasks created in each minute of the last hour, by current status: 60 buckets, oldest first',
  })
  perMinute!: StatusBucketDto[];
  @ApiProperty({
    type: [StatusBucketDto],
    description: 'Tasks created in each hour of the last day, by current status: 24 buckets, oldest first',
  })
  perHour!: StatusBucketDto[];
  @ApiProperty({ type: OutcomeWindowDto, description: 'Tasks that finished in the last hour' })
  lastHour!: OutcomeWindowDto;
  @ApiProperty({ type: OutcomeWindowDto, description: 'Tasks that finished in the last day' })
  lastDay!: OutcomeWindowDto;
  @ApiProperty({ minimum: 0, description: 'Tasks running now' }) running!: number;
  @ApiProperty({
    type: QueueDepthDto,
    nullable: true,
    description: 'BullMQ job counts of the task queue, for callers holding system:read (admins); else null',
  })
  queue!: QueueDepthDto | null;
  @ApiProperty({
    type: [OpenBreakerDto],
    description:
      'Circuit breakers not closed, among the agents of the tasks in scope that finished in the last day (last state any worker wrote)',
  })
  openCircuitBreakers!: OpenBreakerDto[];
}
