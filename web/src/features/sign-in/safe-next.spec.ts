import { safeNext } from './safe-next';

describe('safeNext', () => {
  it('keeps a path inside the console, with its query', () => {
    expect(safeNext('/tasks?status=failed&tag=bad')).toBe('/tasks?status=failed&tag=bad');
    expect(safeNext('/workflows/new')).toBe('/workflows/new');
  });

  it('leads anywhere else to the start page', () => {
    for (const next of [
      null,
      '',
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\\/evil',
      'javascript:alert(1)',
      'tasks',
    ])
      expect(safeNext(next)).toBe('/');
  });
});
