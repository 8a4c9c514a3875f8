import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { MAINTENANCE_QUEUE } from '../jobs/queues';

/**
 * The maintenance queue (periodic jobs) as the board shows it. No producer in this process holds it, so this
 * listens for its errors from the start: the connection's own listener (RedisConnectionFactory) logs each in
 * a line, and an unheard one BullMQ would print with its stack.
 */
@Injectable()
export class MaintenanceQueue {
  constructor(@InjectQueue(MAINTENANCE_QUEUE) readonly queue: Queue) {
    queue.on('error', () => undefined);
  }
}
