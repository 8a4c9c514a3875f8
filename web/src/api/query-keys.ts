/**
 * Every TanStack Query key, from one place: invalidating `queryKeys.tasks.all` reaches every task list and
 * task, and live events write into exactly the keys the pages read.
 */
type Params = Record<string, string | number | boolean | undefined>;

export const queryKeys = {
  me: ['auth', 'me'] as const,
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
    run: (runId: string) => ['workflows', 'run', runId] as const,
  },
  audit: { list: (params: Params = {}) => ['audit', 'list', params] as const },
  users: {
    all: ['users'] as const,
    list: (params: Params = {}) => ['users', 'list', params] as const,
  },
  apiKeys: { all: ['api-keys'] as const },
  system: { info: ['system', 'info'] as const },
};
