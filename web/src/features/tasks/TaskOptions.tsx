import { Accordion, Group, NumberInput, Stack, TagsInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { MAX_TAGS, type OptionProblems, type TaskOptions as Options } from './task-options';

/**
 * A new task's options, folded away (the defaults suit most tasks): its priority, how many attempts it may make,
 * its tags and when it may start. Each is sent only when set.
 */
export function TaskOptions({
  value,
  problems,
  disabled,
  onChange,
}: {
  value: Options;
  problems: OptionProblems;
  disabled: boolean;
  onChange: (value: Options) => void;
}) {
  const set = (changes: Partial<Options>) => onChange({ ...value, ...changes });
  const numberOrEmpty = (v: string | number): number | '' => (typeof v === 'number' ? v : '');
  const [open, setOpen] = useState<string | null>(null);
  // Opened when an option gets a problem, so the problem is seen; it can be folded again.
  const problemFields = Object.keys(problems).join();
  const [shownProblems, setShownProblems] = useState(problemFields);
  if (problemFields !== shownProblems) {
    setShownProblems(problemFields);
    if (problemFields) setOpen('options');
  }
  return (
    <Accordion variant="contained" value={open} onChange={setOpen}>
      <Accordion.Item value="options">
        <Accordion.Control>Options: priority, attempts, tags, start time</Accordion.Control>
        <Accordion.Panel>
          <Stack gap="sm">
            <Group grow align="flex-start">
              <NumberInput
                label="Priority"
                description="1 runs first; 5 when left empty"
                min={1}
                max={10}
                allowDecimal={false}
                clampBehavior="strict"
                value={value.priority}
                error={problems.priority}
                disabled={disabled}
                onChange={(v) => set({ priority: numberOrEmpty(v) })}
              />
              <NumberInput
                label="Attempts at most"
                description="3 when left empty"
                min={1}
                max={10}
                allowDecimal={false}
                clampBehavior="strict"
                value={value.maxAttempts}
                error={problems.maxAttempts}
                disabled={disabled}
                onChange={(v) => set({ maxAttempts: numberOrEmpty(v) })}
              />
            </Group>
            <TagsInput
              label="Tags"
              description={`Up to ${MAX_TAGS}; press Enter after each. Lists can be filtered by a tag.`}
              maxTags={MAX_TAGS}
              value={value.tags}
              error={problems.tags}
              disabled={disabled}
              onChange={(tags) => set({ tags })}
            />
            <TextInput
              label="Not before"
              description="Your browser’s time zone; empty to start now"
              type="datetime-local"
              value={value.runAt}
              error={problems.runAt}
              disabled={disabled}
              onChange={(e) => set({ runAt: e.currentTarget.value })}
            />
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
