import { createBrowserRouter, type RouteObject } from 'react-router';
import { PageLoading, RequireSession } from './RequireSession';
import { RouteError } from './RouteError';

/** Each page is its own chunk, loaded when first visited. */
const pages: RouteObject[] = [
  { index: true, lazy: async () => ({ Component: (await import('../features/overview/OverviewPage')).OverviewPage }) },
  { path: 'agents/*', lazy: async () => ({ Component: (await import('../features/agents/AgentsPage')).AgentsPage }) },
  { path: 'tasks/*', lazy: async () => ({ Component: (await import('../features/tasks/TasksPage')).TasksPage }) },
  {
    path: 'workflows/*',
    lazy: async () => ({ Component: (await import('../features/workflows/WorkflowsPage')).WorkflowsPage }),
  },
  {
    path: 'approvals',
    lazy: async () => ({ Component: (await import('../features/approvals/ApprovalsPage')).ApprovalsPage }),
  },
  {
    path: 'schedules',
    lazy: async () => ({ Component: (await import('../features/schedules/SchedulesPage')).SchedulesPage }),
  },
  {
    path: 'hooks',
    lazy: async () => ({ Component: (await import('../features/hooks/HooksPage')).HooksPage }),
  },
  {
    path: 'webhooks/*',
    lazy: async () => ({ Component: (await import('../features/webhooks/WebhooksPage')).WebhooksPage }),
  },
  { path: 'files', lazy: async () => ({ Component: (await import('../features/files/FilesPage')).FilesPage }) },
  {
    path: 'bulk-operations/*',
    lazy: async () => ({ Component: (await import('../features/bulk/BulkOperationsPage')).BulkOperationsPage }),
  },
  { path: 'audit', lazy: async () => ({ Component: (await import('../features/audit/AuditPage')).AuditPage }) },
  { path: 'users', lazy: async () => ({ Component: (await import('../features/users/UsersPage')).UsersPage }) },
  {
    path: 'api-keys',
    lazy: async () => ({ Component: (await import('../features/api-keys/ApiKeysPage')).ApiKeysPage }),
  },
  { path: 'profile', lazy: async () => ({ Component: (await import('../features/profile/ProfilePage')).ProfilePage }) },
  { path: 'queues', lazy: async () => ({ Component: (await import('../features/queues/QueuesPage')).QueuesPage }) },
  { path: '*', lazy: async () => ({ Component: (await import('../features/not-found/NotFoundPage')).NotFoundPage }) },
];

export const routes: RouteObject[] = [
  {
    path: '/sign-in',
    lazy: async () => ({ Component: (await import('../features/sign-in/SignInPage')).SignInPage }),
    errorElement: <RouteError />,
    // Shown while a page's code loads on the first visit (each page is loaded when first needed).
    HydrateFallback: PageLoading,
  },
  {
    path: '/',
    element: <RequireSession />,
    errorElement: <RouteError />,
    HydrateFallback: PageLoading,
    // A page that fails is shown failed inside the shell: its menu stays, to go elsewhere.
    children: [{ errorElement: <RouteError inShell />, children: pages }],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
