/** The tasks' figures over time, as the stats endpoint shows them (computed by the tasks' persistence). */
export { type OutcomeWindow, TaskStats, type TaskStatsSnapshot } from './persistence/task-stats';
