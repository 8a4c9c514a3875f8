import type { Me } from './session';

export interface NavItem {
  label: string;
  to: string;
  /** Shown only to those it is for. */
  visible?: (me: Me) => boolean;
}

/** Shown to those who hold `permission`: a page that would only say its permission is missing is not offered. */
const holding =
  (...permissions: Me['permissions']): NavItem['visible'] =>
  (me) =>
    permissions.some((permission) => me.permissions.includes(permission));

export const NAV_ITEMS: NavItem[] = [
  { label: 'Overview', to: '/' },
  { label: 'Agents', to: '/agents' },
  { label: 'Tasks', to: '/tasks' },
  { label: 'Workflows', to: '/workflows' },
  { label: 'Approvals', to: '/approvals', visible: holding('workflows:read') },
  { label: 'Schedules', to: '/schedules' },
  { label: 'Webhooks', to: '/webhooks' },
  { label: 'Inbound hooks', to: '/hooks' },
  { label: 'Files', to: '/files', visible: holding('files:read') },
  { label: 'Bulk operations', to: '/bulk-operations' },
  { label: 'Audit', to: '/audit', visible: holding('audit:read') },
  { label: 'Users', to: '/users', visible: holding('users:manage') },
  { label: 'API keys', to: '/api-keys', visible: holding('apikeys:manage') },
  // The task queue's depth (system:read) or the queue board (queues:manage).
  { label: 'Queues', to: '/queues', visible: holding('system:read', 'queues:manage') },
];
