import { emptyTaskDraft, parseTaskDraft, taskDraftText } from './task-draft';

describe('the New task form’s draft', () => {
  const filled = {
    agentId: 'a0000000-0000-4000-8000-000000000001',
    formData: { expression: '6 * <b>7</b>' },
    typed: null,
    options: { priority: 5 as const, maxAttempts: '' as const, tags: ['nightly'], runAt: '' },
  };

  it('comes back as it was kept', () => {
    expect(parseTaskDraft(taskDraftText(filled), emptyTaskDraft(''))).toEqual(filled);
    const typed = { ...emptyTaskDraft('x'), typed: '{"a": 1' };
    expect(parseTaskDraft(taskDraftText(typed), emptyTaskDraft(''))).toEqual(typed);
  });

  it('differs from the form as it opened once anything is chosen or typed', () => {
    expect(taskDraftText(emptyTaskDraft('x'))).toBe(taskDraftText(emptyTaskDraft('x')));
    expect(taskDraftText({ ...emptyTaskDraft(''), agentId: 'x' })).not.toBe(taskDraftText(emptyTaskDraft('')));
    expect(taskDraftText(filled)).not.toBe(taskDraftText(emptyTaskDraft(filled.agentId)));
  });

  it('is the fallback when the text holds no draft', () => {
    const fallback = emptyTaskDraft('y');
    for (const text of ['', 'not json', '{}', '[1, {}, null, {}]', '["x", [], null, {}]', '["x", {}, 3, {}]'])
      expect(parseTaskDraft(text, fallback)).toBe(fallback);
  });
});
