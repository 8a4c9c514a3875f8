import { renderTemplates, TemplateError } from './templates';

const context = {
  input: { n: 4, name: 'Ada' },
  steps: { a: { status: 'succeeded', output: { total: 12, items: [1, 2] } } },
};

describe('step input templates', () => {
  it('keeps the type of a whole-string template and interpolates embedded ones', async () => {
    const rendered = await renderTemplates(
      {
        expression: '{{ "x * " & $string(steps.a.output.total) }}',
        variables: { x: '{{ input.n }}' },
        items: '{{ steps.a.output.items }}',
        greeting: 'Hello {{ input.name }}, total {{ steps.a.output.total }}',
        plain: 'no templates here',
        list: ['{{ input.n * 2 }}', 3],
      },
      context,
    );
    expect(rendered).toEqual({
      expression: 'x * 12',
      variables: { x: 4 },
      items: [1, 2],
      greeting: 'Hello Ada, total 12',
      plain: 'no templates here',
      list: [8, 3],
    });
  });

  it('reports a broken expression with where it is', async () => {
    await expect(renderTemplates({ a: { b: '{{ input.n + }}' } }, context)).rejects.toThrow(TemplateError);
    await expect(renderTemplates({ a: { b: '{{ input.n + }}' } }, context)).rejects.toThrow(/^\/a\/b: /);
  });
});
