import type { components } from '../api/schema';

type Me = Pick<components['schemas']['MeDto'], 'role'>;

/**
 * What each user sees of the tasks, a workflow's runs, the schedules, the webhooks and the inbound hooks: an admin
 * every one, anyone else their own.
 */
export type OwnListNoun = 'tasks' | 'runs' | 'schedules' | 'webhooks' | 'inbound hooks';

/** Whose one is: "the tasks you created", and one of them: "every task". */
const OWN: Record<OwnListNoun, { yours: string; one: string }> = {
  tasks: { yours: 'created', one: 'task' },
  runs: { yours: 'started', one: 'run' },
  schedules: { yours: 'created', one: 'schedule' },
  webhooks: { yours: 'added', one: 'webhook' },
  'inbound hooks': { yours: 'added', one: 'inbound hook' },
};

/**
 * An empty list's title. An admin's list holds every one, so none means none exist; anyone else's holds only
 * their own, so it says only that none they can see exists yet.
 */
export function noneYet(noun: OwnListNoun, me: Me): string {
  return me.role === 'admin' ? `No ${noun} yet` : `No ${noun} that you can see yet`;
}

/** Said under an empty list to anyone but an admin: whose they are shown. */
export function ownOnlyNote(noun: OwnListNoun, me: Me): string | null {
  if (me.role === 'admin') return null;
  const { yours, one } = OWN[noun];
  return `You see the ${noun} you ${yours}; admins see every ${one}.`;
}
