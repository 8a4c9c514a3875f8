import type { components } from '../api/schema';

type Me = Pick<components['schemas']['MeDto'], 'role'>;

/** What each user sees of the tasks and of a workflow's runs: an admin every one, anyone else their own. */
export type OwnListNoun = 'tasks' | 'runs';

/**
 * An empty list's title. An admin's list holds every task (or run), so none means none exist; anyone else's holds
 * only their own, so it says only that none they can see exists yet.
 */
export function noneYet(noun: OwnListNoun, me: Me): string {
  return me.role === 'admin' ? `No ${noun} yet` : `No ${noun} that you can see yet`;
}

/** Said under an empty list of tasks or runs to anyone but an admin: whose they are shown. */
export function ownOnlyNote(noun: OwnListNoun, me: Me): string | null {
  if (me.role === 'admin') return null;
  return noun === 'tasks'
    ? 'You see the tasks you created; admins see every task.'
    : 'You see the runs you started; admins see every run.';
}
