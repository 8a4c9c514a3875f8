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
