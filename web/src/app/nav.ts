import type { Me } from './session';

export interface NavItem {
  label: string;
  to: string;
  /** Shown only to those it is for. */
  visible?: (me: Me) => boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { label: 'Overview', to: '/' },
  { label: 'Agents', to: '/agents' },
  { label: 'Tasks', to: '/tasks' },
  { label: 'Workflows', to: '/workflows' },
  { label: 'Schedules', to: '/schedules' },
  { label: 'Webhooks', to: '/webhooks' },
  { label: 'Inbound hooks', to: '/hooks' },
  { label: 'Bulk operations', to: '/bulk-operations' },
  { label: 'Audit', to: '/audit' },
  { label: 'Users', to: '/users', visible: (me) => me.role === 'admin' },
  { label: 'API keys', to: '/api-keys' },
  { label: 'Queues', to: '/queues' },
];
