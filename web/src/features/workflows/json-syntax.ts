/**
 * JSON syntax errors of a text typed in (a workflow's definition, a run's input), with the line and column
 * browsers do not all give.
 */

export interface SyntaxProblem {
  message: string;
  /** 1-based; undefined when the browser does not say where. */
  line?: number;
  column?: number;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: SyntaxProblem };

/** Where in `text` (1-based line and column) the character at `offset` is. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * Where a JSON text first goes wrong and why, found by reading it the way JSON.parse does: browsers word
 * their errors differently and do not all say where.
 */
export function syntaxErrorAt(text: string): { offset: number; message: string } | null {
  let i = 0;
  const fail = (message: string): never => {
    throw Object.assign(new Error(message), { offset: i });
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i += 1;
  };
  const describe = () => (i >= text.length ? 'the end of the text' : `“${text[i]}”`);
  const unexpected = () => (i >= text.length ? 'Unexpected end of the text' : `Unexpected “${text[i]}”`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(unexpected());
  };
  const string = () => {
    i += 1;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('A string cannot contain a line break or control character (use \\n)');
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('Bad \\u escape in a string');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('Bad escape in a string');
      }
      i += 1;
    }
    if (i >= text.length) fail('A string is not closed (missing ")');
    i += 1;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail(unexpected());
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    space();
    if (depth > 512) fail('Nested too deeply');
    const c = text[i];
    if (c === '{') {
      i += 1;
      space();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail(`Expected a property name in double quotes, found ${describe()}`);
        string();
        space();
        if (text[i] !== ':') fail(`Expected “:” after a property name, found ${describe()}`);
        i += 1;
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i += 1;
          space();
          if (text[i] === '}') fail('A comma cannot come before “}”');
          continue;
        }
        if (text[i] === '}') {
          i += 1;
          return;
        }
        fail(`Expected “,” or “}”, found ${describe()}`);
      }
    }
    if (c === '[') {
      i += 1;
      space();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (;;) {
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i += 1;
          space();
          if (text[i] === ']') fail('A comma cannot come before “]”');
          continue;
        }
        if (text[i] === ']') {
          i += 1;
          return;
        }
        fail(`Expected “,” or “]”, found ${describe()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail(unexpected());
  };
  try {
    value(0);
    space();
    if (i < text.length) fail(`${unexpected()} after the end of the JSON value`);
    return null;
  } catch (err) {
    return { offset: (err as { offset: number }).offset, message: (err as Error).message };
  }
}

/** Parses a JSON text typed in; a syntax error says what and where (line and column). */
export function parseDefinition(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    if (text.trim() === '') return { ok: false, error: { message: 'The text is empty' } };
    const found = syntaxErrorAt(text);
    if (!found) return { ok: false, error: { message: err instanceof Error ? err.message : 'Not valid JSON' } };
    return { ok: false, error: { message: found.message, ...lineAndColumn(text, found.offset) } };
  }
}
