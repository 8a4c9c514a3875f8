import { conditionOf, mayUseReplica, needsPrimary, type ReplicaState } from './read-target';

const streaming: ReplicaState = { condition: 'streaming', lagMs: 10 };

describe('read target', () => {
  it('uses the replica only while it streams and the request allows it', () => {
    expect(mayUseReplica(streaming, { primary: false })).toBe(true);
    expect(mayUseReplica(streaming, { primary: true })).toBe(false);
    expect(mayUseReplica(streaming, undefined)).toBe(false);
    expect(mayUseReplica({ condition: 'lagging', lagMs: 9000 }, { primary: false })).toBe(false);
    expect(mayUseReplica({ condition: 'down', lagMs: null }, { primary: false })).toBe(false);
    expect(mayUseReplica({ condition: 'unset', lagMs: null }, { primary: false })).toBe(false);
  });

  it('calls a replica lagging once its lag passes the limit', () => {
    expect(conditionOf(5000, 5000)).toBe('streaming');
    expect(conditionOf(5001, 5000)).toBe('lagging');
  });

  it('sends writes, strong reads and a recent writer to the primary', () => {
    expect(needsPrimary('GET', undefined, false)).toBe(false);
    expect(needsPrimary('HEAD', 'eventual', false)).toBe(false);
    expect(needsPrimary('POST', undefined, false)).toBe(true);
    expect(needsPrimary('DELETE', undefined, false)).toBe(true);
    expect(needsPrimary('GET', ' Strong ', false)).toBe(true);
    expect(needsPrimary('GET', ['strong'], false)).toBe(false);
    expect(needsPrimary('GET', undefined, true)).toBe(true);
  });
});
