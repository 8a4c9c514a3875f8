import {
  type Hook,
  callExample,
  checkForm,
  createBody,
  emptyForm,
  formChanged,
  formErrorsFromDetails,
  formFromHook,
  updateBody,
} from './hook-helpers';

const AGENT = '11111111-1111-4111-8111-111111111111';
const hook: Hook = {
  id: '22222222-2222-4222-8222-222222222222',
  name: 'Deploys',
  target: { agentId: AGENT },
  auth: 'bearer',
  inputTemplate: { expression: '{{ body.n }} * 2' },
  rateLimitPerMinute: 30,
  enabled: true,
  targetDeleted: false,
  url: '/api/v1/hooks/22222222-2222-4222-8222-222222222222',
  createdBy: '33333333-3333-4333-8333-333333333333',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('the hook form', () => {
  it('finds what is missing or malformed before sending', () => {
    expect(checkForm(emptyForm()).fields).toEqual({ name: 'Give it a name', target: 'Choose an agent' });
    const form = { ...emptyForm(), name: 'x', kind: 'workflow' as const, inputTemplate: '{', rateLimitPerMinute: '0' };
    expect(checkForm(form).fields).toEqual({
      target: 'Choose a workflow',
      inputTemplate: 'Not valid JSON',
      rateLimitPerMinute: 'A whole number, 1 to 10,000',
    });
  });

  it('says whether the dialog holds input that closing would lose', () => {
    const empty = emptyForm();
    expect(formChanged(empty, { ...empty })).toBe(false);
    expect(formChanged(empty, { ...empty, name: 'Deploys' })).toBe(true);
    expect(formChanged(empty, { ...empty, inputTemplate: '{}' })).toBe(true);
    expect(formChanged(empty, { ...empty, auth: 'bearer' })).toBe(true);
    const saved = formFromHook(hook);
    expect(formChanged(saved, formFromHook(hook))).toBe(false);
    expect(formChanged(saved, { ...saved, rateLimitPerMinute: '31' })).toBe(true);
  });

  it('makes the create body, a template only when given', () => {
    const form = { ...emptyForm(), name: ' Deploys ', agentId: AGENT, auth: 'bearer' as const };
    expect(createBody(form)).toEqual({
      name: 'Deploys',
      target: { agentId: AGENT },
      auth: 'bearer',
      rateLimitPerMinute: 60,
    });
    expect(createBody({ ...form, inputTemplate: '{"a": "{{ body.a }}"}' }).inputTemplate).toEqual({
      a: '{{ body.a }}',
    });
  });

  it('round-trips a hook, and an emptied template is removed', () => {
    const form = formFromHook(hook);
    expect(form).toMatchObject({ name: 'Deploys', kind: 'agent', agentId: AGENT, auth: 'bearer' });
    expect(updateBody(form)).toEqual({ name: 'Deploys', inputTemplate: hook.inputTemplate, rateLimitPerMinute: 30 });
    expect(updateBody({ ...form, inputTemplate: '  ' }).inputTemplate).toBeNull();
  });

  it('puts the server’s refusals on the fields they name', () => {
    expect(
      formErrorsFromDetails([
        { field: '/target/agentId', message: 'is not an agent' },
        { field: '/inputTemplate/expression', message: 'is not a valid template' },
        { message: 'Something else' },
      ]),
    ).toEqual({
      fields: { target: '/agentId: is not an agent', inputTemplate: '/expression: is not a valid template' },
      other: ['Something else'],
    });
  });

  it('shows how to call it, by its kind of secret', () => {
    expect(callExample(hook, 'https://ymera.example.com')).toContain(
      `curl -X POST 'https://ymera.example.com/api/v1/hooks/${hook.id}'`,
    );
    expect(callExample(hook, 'https://ymera.example.com')).toContain('Authorization: Bearer <token>');
    expect(callExample({ ...hook, auth: 'hmac' }, 'https://x.test')).toContain('webhook-signature: v1,<signature>');
  });
});
