import { BOARD_PATH, boardModeText, boardUrl, canOpenBoard, depthRows } from './board';

describe('canOpenBoard', () => {
  it('needs queues:manage', () => {
    expect(canOpenBoard(['agents:read', 'queues:manage'])).toBe(true);
    expect(canOpenBoard(['agents:read', 'tasks:read', 'workflows:read'])).toBe(false);
    expect(canOpenBoard([])).toBe(false);
  });
});

describe('boardUrl', () => {
  it('keeps the answered path when it is the board', () => {
    expect(boardUrl('/admin/queues')).toBe('/admin/queues');
    expect(boardUrl('/admin/queues/queue/tasks')).toBe('/admin/queues/queue/tasks');
  });
  it('never leaves the board or the origin', () => {
    for (const path of [undefined, '', 'https://evil.test/admin/queues', '//evil.test', '/admin/queuesx', '/api/v1']) {
      expect(boardUrl(path)).toBe(BOARD_PATH);
    }
  });
});

describe('boardModeText', () => {
  it('says read-only or writable', () => {
    expect(boardModeText(true)).toMatch(/^Read-only/);
    expect(boardModeText(false)).toMatch(/^Writable/);
  });
});

describe('depthRows', () => {
  it('lists every state in order, numbers grouped', () => {
    expect(depthRows({ waiting: 12345, prioritized: 0, active: 3, delayed: 1, failed: 7 })).toEqual([
      { state: 'waiting', label: 'Waiting', count: '12,345' },
      { state: 'prioritized', label: 'Prioritized', count: '0' },
      { state: 'active', label: 'Active', count: '3' },
      { state: 'delayed', label: 'Delayed', count: '1' },
      { state: 'failed', label: 'Failed', count: '7' },
    ]);
  });
});
