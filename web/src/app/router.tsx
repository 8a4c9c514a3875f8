import type { ComponentType } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { isCodeNotLoaded, lazyRetrying } from '../components/lazy-retrying';
import { PageLoading, RequireSession } from './RequireSession';
import { RouteError } from './RouteError';

/**
 * A page's route, its code loaded on the first visit. Code that could not be loaded (the platform unreachable)
 * is loaded again when the page is next shown: React Router keeps a route's failed load for good, so the route
 * gets a component that imports it on its next render ({@link lazyRetrying}), once the error was shown.
 */
function page(load: () => Promise<ComponentType>): RouteObject['lazy'] {
  return async () => {
    try {
      return { Component: await load() };
    } catch (error) {
      if (!isCodeNotLoaded(error)) throw error;
      return { Component: lazyRetrying(async () => ({ default: await load() })) };
    }
  };
}

/** Each page is its own chunk, loaded when first visited. */
const pages: RouteObject[] = [
  { index: true, lazy: page(async () => (await import('../features/overview/OverviewPage')).OverviewPage) },
  { path: 'agents/*', lazy: page(async () => (await import('../features/agents/AgentsPage')).AgentsPage) },
  { path: 'tasks/*', lazy: page(async () => (await import('../features/tasks/TasksPage')).TasksPage) },
  {
    path: 'workflows/*',
    lazy: page(async () => (await import('../features/workflows/WorkflowsPage')).WorkflowsPage),
  },
  {
    path: 'approvals',
    lazy: page(async () => (await import('../features/approvals/ApprovalsPage')).ApprovalsPage),
  },
  {
    path: 'schedules',
    lazy: page(async () => (await import('../features/schedules/SchedulesPage')).SchedulesPage),
  },
  {
    path: 'hooks',
    lazy: page(async () => (await import('../features/hooks/HooksPage')).HooksPage),
  },
  {
    path: 'webhooks/*',
    lazy: page(async () => (await import('../features/webhooks/WebhooksPage')).WebhooksPage),
  },
  { path: 'files', lazy: page(async () => (await import('../features/files/FilesPage')).FilesPage) },
  {
    path: 'bulk-operations/*',
    lazy: page(async () => (await import('../features/bulk/BulkOperationsPage')).BulkOperationsPage),
  },
  { path: 'audit', lazy: page(async () => (await import('../features/audit/AuditPage')).AuditPage) },
  { path: 'users', lazy: page(async () => (await import('../features/users/UsersPage')).UsersPage) },
  {
    path: 'api-keys',
    lazy: page(async () => (await import('../features/api-keys/ApiKeysPage')).ApiKeysPage),
  },
  { path: 'profile', lazy: page(async () => (await import('../features/profile/ProfilePage')).ProfilePage) },
  { path: 'queues', lazy: page(async () => (await import('../features/queues/QueuesPage')).QueuesPage) },
  { path: '*', lazy: page(async () => (await import('../features/not-found/NotFoundPage')).NotFoundPage) },
];

export const routes: RouteObject[] = [
  {
    path: '/sign-in',
    lazy: page(async () => (await import('../features/sign-in/SignInPage')).SignInPage),
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
