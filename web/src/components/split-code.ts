/** A piece of a text: code (it was in backticks) or not. */
export interface TextPart {
  text: string;
  code: boolean;
}

/**
 * A text cut where it has code in backticks, the backticks dropped: "sent as `input`" is "sent as " then the
 * code "input". A backtick without its pair is kept as it is, and so is an empty pair.
 */
export function splitCode(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const add = (piece: string, code: boolean) => {
    if (!piece) return;
    const last = parts.at(-1);
    if (last && !last.code && !code) last.text += piece;
    else parts.push({ text: piece, code });
  };
  const pieces = text.split('`');
  // An odd number of backticks: the last one has no pair, and what follows it is text.
  const unpaired = pieces.length % 2 === 0 ? `\`${pieces.pop() ?? ''}` : '';
  pieces.forEach((piece, i) => {
    const code = i % 2 === 1;
    add(code && !piece ? '``' : piece, code && Boolean(piece));
  });
  add(unpaired, false);
  return parts;
}
