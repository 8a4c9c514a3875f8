/**
 * Every TanStack Query key, from one place: invalidating `queryKeys.tasks.all` reaches every task list and
 * task, and live events write into exactly the keys the pages read.
 */
type Params = Record<string, string | number | boolean | undefined>;

export const queryKeys = {
  me: ['auth', 'me'] as const,
  mfa: ['auth', 'mfa'] as const,
  stats: (params: Params = {}) => ['stats', params] as const,
  agents: {
    all: ['agents'] as const,
    list: (params: Params = {}) => ['agents', 'list', params] as const,
    detail: (id: string) => ['agents', 'detail', id] as const,
  },
  agentTypes: { all: ['agent-types'] as const },
  tasks: {
    all: ['tasks'] as const,
    list: (params: Params = {}) => ['tasks', 'list', params] as const,
    detail: (id: string) => ['tasks', 'detail', id] as const,
  },
  workflows: {
    all: ['workflows'] as const,
    list: (params: Params = {}) => ['workflows', 'list', params] as const,
    detail: (id: string) => ['workflows', 'detail', id] as const,
    runs: (id: string, params: Params = {}) => ['workflows', 'runs', id, params] as const,
    run: (runId: string) => ['workflows', 'run', runId] as const,
  },
  schedules: {
    all: ['schedules'] as const,
    list: (params: Params = {}) => ['schedules', 'list', params] as const,
    fires: (id: string, params: Params = {}) => ['schedules', 'fires', id, params] as const,
  },
  webhooks: {
    all: ['webhooks'] as const,
    list: (params: Params = {}) => ['webhooks', 'list', params] as const,
    detail: (id: string) => ['webhooks', 'detail', id] as const,
    deliveries: (id: string, params: Params = {}) => ['webhooks', 'deliveries', id, params] as const,
  },
  hooks: {
    all: ['hooks'] as const,
    list: (params: Params = {}) => ['hooks', 'list', params] as const,
  },
  files: {
    all: ['files'] as const,
    list: (params: Params = {}) => ['files', 'list', params] as const,
  },
  approvals: {
    all: ['approvals'] as const,
    list: (params: Params = {}) => ['approvals', 'list', params] as const,
  },
  bulk: {
    all: ['bulk-operations'] as const,
    list: (params: Params = {}) => ['bulk-operations', 'list', params] as const,
    detail: (id: string) => ['bulk-operations', 'detail', id] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (params: Params = {}) => ['audit', 'list', params] as const,
    verify: (params: Params = {}) => ['audit', 'verify', params] as const,
  },
  users: {
    all: ['users'] as const,
    list: (params: Params = {}) => ['users', 'list', params] as const,
    detail: (id: string) => ['users', 'detail', id] as const,
  },
  apiKeys: { all: ['api-keys'] as const },
  system: { info: ['system', 'info'] as const },
};
