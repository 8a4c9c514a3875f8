/**
 * The task services' ports in memory, one module a side: the agents they look up, the tasks' table, where they
 * hand tasks and news on (queue, events, cancellation), and the worker's stores, slots and gates.
 */
export * from './task-agents';
export * from './task-store';
export * from './task-dispatch';
export * from './task-worker';
