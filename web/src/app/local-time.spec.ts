import { fromLocalInput, toLocalInput } from './local-time';

describe('datetime-local values', () => {
  it('turns a local date and time into an instant and back, to the minute', () => {
    const iso = fromLocalInput('2026-06-15T10:30');
    expect(iso).toMatch(/^2026-06-1[45]T\d{2}:\d{2}:00\.000Z$/);
    expect(toLocalInput(iso)).toBe('2026-06-15T10:30');
    const instant = '2030-06-01T12:30:00.000Z';
    expect(fromLocalInput(toLocalInput(instant))).toBe(instant);
  });

  it('ends "to" at the last moment of its minute', () => {
    const from = fromLocalInput('2026-06-15T10:30', 'from') ?? '';
    const to = fromLocalInput('2026-06-15T10:30', 'to') ?? '';
    expect(Date.parse(to) - Date.parse(from)).toBe(59_999);
    expect(toLocalInput(to)).toBe('2026-06-15T10:30');
  });

  it('refuses what is not a date and time', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a date')).toBeUndefined();
    expect(fromLocalInput('2026-06-15')).toBeUndefined();
    expect(fromLocalInput('2026-13-45T99:99')).toBeUndefined();
    expect(toLocalInput(undefined)).toBe('');
    expect(toLocalInput(null)).toBe('');
    expect(toLocalInput('not a date')).toBe('');
  });
});
