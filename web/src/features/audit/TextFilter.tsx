import { TextInput } from '@mantine/core';
import { type Ref, useEffect, useEffectEvent, useState } from 'react';

interface TextFilterProps {
  label: string;
  description?: string;
  placeholder?: string;
  /** The value in the URL. */
  value: string | undefined;
  /** Writes a new value to the URL (undefined clears it). */
  onCommit: (value: string | undefined) => void;
  inputRef?: Ref<HTMLInputElement>;
  /** The id of a `<datalist>` of suggestions. */
  list?: string;
  className?: string;
}

/**
 * A text filter typed into a box and written to the URL a moment after typing stops; a change of the URL
 * (a link, Back, "Clear filters") shows in the box.
 */
export function TextFilter({
  label,
  description,
  placeholder,
  value,
  onCommit,
  inputRef,
  list,
  className,
}: TextFilterProps) {
  // What the box shows, and whether it was typed (only typing is written to the URL: a value the box took
  // from the URL is never written back, where it could undo a later change such as "Clear filters").
  const [draft, setDraft] = useState({ text: value ?? '', typed: false });
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if ((draft.text.trim() || undefined) !== value) setDraft({ text: value ?? '', typed: false });
  }
  const commit = useEffectEvent((next: string | undefined) => {
    if (next !== value) onCommit(next);
  });
  useEffect(() => {
    if (!draft.typed) return undefined;
    const timer = setTimeout(() => commit(draft.text.trim() || undefined), 300);
    return () => clearTimeout(timer);
  }, [draft]);

  return (
    <TextInput
      ref={inputRef}
      className={className}
      label={label}
      description={description}
      placeholder={placeholder}
      value={draft.text}
      list={list}
      autoComplete="off"
      spellCheck={false}
      onChange={(event) => setDraft({ text: event.currentTarget.value, typed: true })}
    />
  );
}
