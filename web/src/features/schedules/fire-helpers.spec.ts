import { fireLateness, fireOutcomeText, fireTargetPath } from './fire-helpers';

describe('fireOutcomeText', () => {
  it('says what came of a fire', () => {
    expect(fireOutcomeText({ outcome: 'made', error: null })).toBe('made');
    expect(fireOutcomeText({ outcome: 'skipped-overlap', error: null })).toBe('skipped (the last fire still ran)');
    expect(fireOutcomeText({ outcome: 'failed', error: 'AGENT_NOT_FOUND' })).toBe('failed: AGENT_NOT_FOUND');
    expect(fireOutcomeText({ outcome: 'failed', error: null })).toBe('failed');
  });
});

describe('fireLateness', () => {
  const fireAt = '2026-12-02T10:00:00.000Z';
  it('says nothing for a fire handled on time', () => {
    expect(fireLateness({ fireAt, handledAt: '2026-12-02T10:00:00.250Z' })).toBeNull();
    expect(fireLateness({ fireAt, handledAt: '2026-12-02T10:00:29.000Z' })).toBeNull();
  });
  it('says how late a late fire was', () => {
    expect(fireLateness({ fireAt, handledAt: '2026-12-02T10:00:45.000Z' })).toBe('45 s late');
    expect(fireLateness({ fireAt, handledAt: '2026-12-02T10:03:30.000Z' })).toBe('3.5 min late');
    expect(fireLateness({ fireAt, handledAt: '2026-12-02T12:30:00.000Z' })).toBe('2.5 h late');
  });
});

describe('fireTargetPath', () => {
  it('links a made fire to its task or run', () => {
    expect(
      fireTargetPath({ target: { kind: 'agent', agentId: 'a', workflowId: null, input: {} } }, { targetId: 't1' }),
    ).toBe('/tasks/t1');
    expect(
      fireTargetPath({ target: { kind: 'workflow', agentId: null, workflowId: 'w', input: {} } }, { targetId: 'r1' }),
    ).toBe('/workflows/w/runs/r1');
    expect(
      fireTargetPath({ target: { kind: 'agent', agentId: 'a', workflowId: null, input: {} } }, { targetId: null }),
    ).toBeNull();
  });
});
