import type { TaskSubmission } from '../tasks/task-submission';
import type { TasksService } from '../tasks/tasks.service';
import type { WorkflowsService } from '../workflows/workflows.service';
import type { ScheduleRepository } from './persistence/schedule.repository';

/** What the schedules' services need of their collaborators, as interfaces (Nest injects the real classes). */
export type ScheduleStore = Pick<
  ScheduleRepository,
  | 'create'
  | 'findById'
  | 'list'
  | 'fires'
  | 'active'
  | 'update'
  | 'delete'
  | 'recordFire'
  | 'firesRecorded'
  | 'passHandled'
  | 'passOver'
  | 'pauseChangedWithKey'
  | 'countRunningChangedWithKey'
>;
export interface FireTargets {
  submission: Pick<TaskSubmission, 'submit' | 'prepare'>;
  tasks: Pick<TasksService, 'statesOf'>;
  workflows: Pick<WorkflowsService, 'startOnce' | 'runStatus' | 'detail'>;
}
