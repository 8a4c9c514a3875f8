import { creatorOnlyReason } from './creator-only';

const admin = { id: 'a0000000-0000-4000-8000-000000000001', role: 'admin' as const };
const operator = { id: 'b0000000-0000-4000-8000-000000000002', role: 'operator' as const };
const viewer = { id: 'c0000000-0000-4000-8000-000000000003', role: 'viewer' as const };

describe('who may change an agent or a workflow', () => {
  it('lets its creator change it', () => {
    expect(creatorOnlyReason(operator, { createdBy: operator.id }, 'agent')).toBeNull();
    expect(creatorOnlyReason(operator, { createdBy: operator.id }, 'workflow')).toBeNull();
  });

  it('lets an admin change what anyone created, and what has no recorded creator', () => {
    expect(creatorOnlyReason(admin, { createdBy: operator.id }, 'agent')).toBeNull();
    expect(creatorOnlyReason(admin, { createdBy: null }, 'workflow')).toBeNull();
  });

  it('says why anyone else may not, naming what it is', () => {
    expect(creatorOnlyReason(operator, { createdBy: admin.id }, 'agent')).toBe(
      'Only its creator or an admin can change this agent',
    );
    expect(creatorOnlyReason(viewer, { createdBy: operator.id }, 'workflow')).toBe(
      'Only its creator or an admin can change this workflow',
    );
  });

  it('keeps a resource without a recorded creator for admins', () => {
    expect(creatorOnlyReason(operator, { createdBy: null }, 'agent')).toBe(
      'Only its creator or an admin can change this agent',
    );
  });
});
