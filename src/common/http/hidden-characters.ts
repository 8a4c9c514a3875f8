// Imported by the console too (a file name it sends is cleaned of them): it imports nothing.
/**
 * What a name shown to people may not hold: control characters (C0, DEL, C1) and the line and paragraph separators
 * (U+2028, U+2029), with which a name can forge a log line or a header; the bidirectional marks, overrides and
 * isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which make text display as other text
 * ("invoice‮fdp.exe"); and the other characters Unicode marks as ignorable in display (Default_Ignorable_Code_Point:
 * the zero-width space, word joiner, byte order mark, soft hyphen, Hangul fillers, invisible operators, …), which
 * make two names that look alike differ, or a name that looks empty. Kept, as text in some scripts and emoji needs
 * them: the zero-width non-joiner and joiner (U+200C, U+200D), the variation selectors (U+FE00–U+FE0F,
 * U+E0100–U+E01EF) and Mongolian's (U+180B–U+180D, U+180F; not the vowel separator U+180E), and tag characters in an emoji tag sequence (after U+1F3F4, or another tag).
 */
export const HIDDEN =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- the characters it lists are what it looks for, one by one
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|(?![\u200c\u200d\ufe00-\ufe0f\u180b-\u180d\u180f\u{e0100}-\u{e01ef}\u{e0020}-\u{e007f}])[\p{Default_Ignorable_Code_Point}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|(?<![\u{1f3f4}\u{e0020}-\u{e007e}])[\u{e0020}-\u{e007f}]/u;

/** `text` without the characters {@link HIDDEN} finds. */
export function withoutHidden(text: string): string {
  // eslint-disable-next-line no-misleading-character-class -- HIDDEN lists the characters it looks for, one by one
  return text.replace(new RegExp(HIDDEN.source, 'gu'), '');
}
