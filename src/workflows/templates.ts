import jsonata from 'jsonata';

const WHOLE = /^\{\{\s*([\s\S]+?)\s*\}\}$/;
const EMBEDDED = /\{\{\s*([\s\S]+?)\s*\}\}/g;

export class TemplateError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || '/'}: ${message}`);
    this.name = 'TemplateError';
  }
}

async function evaluate(expression: string, context: unknown, path: string): Promise<unknown> {
  try {
    return await jsonata(expression).evaluate(context);
  } catch (err) {
    throw new TemplateError(path, (err as { message?: string }).message ?? 'invalid expression');
  }
}

/**
 * Renders `"{{ <JSONata> }}"` strings inside a step's input against `{input, steps}`. A string that is
 * one whole template takes the expression's value and type (number, object, …); templates inside longer
 * text are replaced by their text. Everything else is copied as it is.
 */
export async function renderTemplates(value: unknown, context: unknown, path = ''): Promise<unknown> {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('}}')) return (await evaluate(whole[1], context, path)) ?? null;
    if (!value.includes('{{')) return value;
    const parts: string[] = [];
    let last = 0;
    for (const match of value.matchAll(EMBEDDED)) {
      const result = await evaluate(match[1], context, path);
      parts.push(value.slice(last, match.index), typeof result === 'string' ? result : JSON.stringify(result ?? null));
      last = (match.index ?? 0) + match[0].length;
    }
    return parts.join('') + value.slice(last);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => renderTemplates(v, context, `${path}/${i}`)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value as Record<string, unknown>).map(
        async ([k, v]) => [k, await renderTemplates(v, context, `${path}/${k}`)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
