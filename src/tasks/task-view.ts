import { TaskDto } from './dto/task.dto';
import type { Task } from './task';

export type { TaskDto };

/** A task as the API returns it (`GET /tasks/:id`), for what sends tasks elsewhere (webhooks). */
export const taskView = (task: Task): TaskDto => TaskDto.from(task);
