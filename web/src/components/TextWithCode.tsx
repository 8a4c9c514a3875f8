import { Code } from '@mantine/core';
import { splitCode } from './split-code';

/**
 * A text with code in backticks, as the API's descriptions write it ("Any JSON value, sent as `input`"): the code
 * shown as code, without the backticks; all of it as text.
 */
export function TextWithCode({ text }: { text: string }) {
  return (
    <>
      {splitCode(text).map((part, i) =>
        part.code ? <Code key={i}>{part.text}</Code> : <span key={i}>{part.text}</span>,
      )}
    </>
  );
}
