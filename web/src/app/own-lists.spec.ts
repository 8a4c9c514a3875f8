import { noneYet, ownOnlyNote } from './own-lists';

const admin = { role: 'admin' as const };
const viewer = { role: 'viewer' as const };

describe('what an empty list of tasks or runs says', () => {
  it('says none exist only to an admin, who sees every one', () => {
    expect(noneYet('tasks', admin)).toBe('No tasks yet');
    expect(noneYet('runs', admin)).toBe('No runs yet');
    expect(ownOnlyNote('tasks', admin)).toBeNull();
  });

  it('says to anyone else that none they can see exists, and whose they see', () => {
    expect(noneYet('tasks', viewer)).toBe('No tasks that you can see yet');
    expect(noneYet('runs', { role: 'operator' })).toBe('No runs that you can see yet');
    expect(ownOnlyNote('tasks', viewer)).toBe('You see the tasks you created; admins see every task.');
    expect(ownOnlyNote('runs', viewer)).toBe('You see the runs you started; admins see every run.');
  });
});

describe('what an empty list of schedules, webhooks or inbound hooks says', () => {
  it('says none exist only to an admin, with no note on whose they are', () => {
    expect(noneYet('schedules', admin)).toBe('No schedules yet');
    expect(noneYet('webhooks', admin)).toBe('No webhooks yet');
    expect(noneYet('inbound hooks', admin)).toBe('No inbound hooks yet');
    expect(ownOnlyNote('inbound hooks', admin)).toBeNull();
  });

  it('says to anyone else, a viewer who can make none included, that none they can see exists, and whose they see', () => {
    expect(noneYet('schedules', viewer)).toBe('No schedules that you can see yet');
    expect(noneYet('webhooks', { role: 'operator' })).toBe('No webhooks that you can see yet');
    expect(noneYet('inbound hooks', viewer)).toBe('No inbound hooks that you can see yet');
    expect(ownOnlyNote('schedules', viewer)).toBe('You see the schedules you created; admins see every schedule.');
    expect(ownOnlyNote('webhooks', viewer)).toBe('You see the webhooks you added; admins see every webhook.');
    expect(ownOnlyNote('inbound hooks', { role: 'operator' })).toBe(
      'You see the inbound hooks you added; admins see every inbound hook.',
    );
  });
});
