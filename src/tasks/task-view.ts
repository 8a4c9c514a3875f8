import { TaskDto } from './dto/task.dto';
import type { Task } from './task';

export type { TaskDto };
/** A task's error as the API shows it, which a workflow run's step shows as its own. */
export { TaskErrorDto } from './dto/task.dto';

/** A task as the API returns it (`GET /tasks/:id`), for what sends tasks elsewhere (webhooks). */
export const taskView = (task: Task): TaskDto => TaskDto.from(task);
