/**
 * The fields only one kind of step has, and that kind: the server's check of a step (step-shapes.ts) and the
 * console's (web/src/features/workflows/step-kinds.ts) both read this. The OpenAPI document has a step as one
 * object whose fields are all optional, so it cannot say which kind owns which field.
 *
 * The console type-checks and bundles this file with its own settings: it imports nothing, not even types.
 */
export const STEP_OWN_FIELDS = {
  agentId: 'task',
  input: 'task',
  timeoutMs: 'approval',
  permission: 'approval',
  durationMs: 'wait',
  until: 'wait',
} as const;
