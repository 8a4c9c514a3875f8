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
  const [draft, setDraft] = useState(value ?? '');
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if ((draft.trim() || undefined) !== value) setDraft(value ?? '');
  }
  const commit = useEffectEvent((next: string | undefined) => {
    if (next !== value) onCommit(next);
  });
  useEffect(() => {
    const timer = setTimeout(() => commit(draft.trim() || undefined), 300);
    return () => clearTimeout(timer);
  }, [draft]);

  return (
    <TextInput
      ref={inputRef}
      className={className}
      label={label}
      description={description}
      placeholder={placeholder}
      value={draft}
      list={list}
      autoComplete="off"
      spellCheck={false}
      onChange={(event) => setDraft(event.currentTarget.value)}
    />
  );
}
