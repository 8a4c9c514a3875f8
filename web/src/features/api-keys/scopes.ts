import type { components } from '../../api/schema';

export type Permission = components['schemas']['MeDto']['permissions'][number];
export type ApiKey = components['schemas']['ApiKeyDto'];
export type CreatedApiKey = components['schemas']['CreatedApiKeyDto'];

/** Every permission, in the order the API lists them, with what it lets a key do. */
export const PERMISSIONS: readonly { scope: Permission; description: string }[] = [
  { scope: 'agents:read', description: 'Read agents and agent types' },
  { scope: 'agents:write', description: 'Create, change, pause and delete agents' },
  { scope: 'tasks:read', description: 'Read tasks' },
  { scope: 'tasks:write', description: 'Submit, cancel and retry tasks' },
  { scope: 'workflows:read', description: 'Read workflows and their runs' },
  { scope: 'workflows:write', description: 'Create, change and run workflows' },
  { scope: 'schedules:read', description: 'Read schedules and their next fire times' },
  { scope: 'schedules:write', description: 'Create, change, pause and delete schedules' },
  { scope: 'webhooks:read', description: 'Read webhook endpoints and their deliveries' },
  { scope: 'webhooks:write', description: 'Create, change and delete webhook endpoints; redeliver' },
  { scope: 'hooks:read', description: 'Read inbound hooks' },
  { scope: 'hooks:write', description: 'Create, change and delete inbound hooks' },
  { scope: 'files:read', description: 'Read and download files of records' },
  { scope: 'files:write', description: 'Upload and delete files of records' },
  { scope: 'apikeys:manage', description: 'Create, list and revoke API keys' },
  { scope: 'audit:read', description: 'Read the audit log' },
  { scope: 'users:manage', description: 'Manage users and their roles' },
  { scope: 'system:read', description: 'Read system information and queue depth' },
  { scope: 'queues:manage', description: 'Use the queue board (read-only with a key)' },
];

/**
 * The scopes a new key may be given: exactly the permissions the user holds (the API refuses any other), in
 * the API's order; unknown strings are ignored.
 */
export function offeredScopes(held: readonly string[]): { scope: Permission; description: string }[] {
  const holds = new Set(held);
  return PERMISSIONS.filter((p) => holds.has(p.scope));
}

export const EXPIRY_CHOICES = [
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: 'never', label: 'Never' },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]['value'];
export const DEFAULT_EXPIRY: ExpiryChoice = '30';

/** `expiresAt` for a choice of the expiry list: that many days from now, or absent for "Never". */
export function expiresAtFor(choice: string, now: number = Date.now()): string | undefined {
  const days = Number(choice);
  if (choice === 'never' || !Number.isInteger(days) || days <= 0) return undefined;
  return new Date(now + days * 24 * 3600 * 1000).toISOString();
}

/** Whether a listed key no longer works because it expired (revoked keys are not listed). */
export function isExpired(key: Pick<ApiKey, 'expiresAt'>, now: number = Date.now()): boolean {
  return key.expiresAt !== null && new Date(key.expiresAt).getTime() <= now;
}

export interface KeyFormErrors {
  name?: string;
  scopes?: string;
  expiresAt?: string;
  /** Messages of fields the form does not have. */
  other: string[];
}

/** The API's `details` (`/name`, `/scopes/2`, `/expiresAt`) on the form fields they name. */
export function keyFormErrors(details: readonly { field?: string; message: string }[]): KeyFormErrors {
  const errors: KeyFormErrors = { other: [] };
  const add = (key: 'name' | 'scopes' | 'expiresAt', message: string) => {
    errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
  };
  for (const { field, message } of details) {
    const top = field?.split('/')[1];
    if (top === 'name' || top === 'scopes' || top === 'expiresAt') add(top, message);
    else errors.other.push(field ? `${field}: ${message}` : message);
  }
  return errors;
}

/** What is wrong with the form before it is sent, or null. */
export function validateKeyForm(name: string, scopes: readonly string[]): Omit<KeyFormErrors, 'other'> | null {
  const errors: Omit<KeyFormErrors, 'other'> = {};
  if (!name.trim()) errors.name = 'Give the key a name: what will use it?';
  else if (name.trim().length > 100) errors.name = 'At most 100 characters';
  if (scopes.length === 0) errors.scopes = 'Choose at least one scope';
  return Object.keys(errors).length ? errors : null;
}
