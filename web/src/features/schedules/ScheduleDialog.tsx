import { Code, Group, NativeSelect, Radio, TextInput, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormDialog, FormFooter } from '../../components/FormDialog';
import { useDialogSubmit } from '../../components/use-dialog-submit';
import { queryKeys } from '../../api/query-keys';
import { parseDefinition } from '../workflows/json-syntax';
import { TargetPicker } from '../workflows/TargetPicker';
import { createSchedule, updateSchedule } from './schedule-api';
import {
  EVERY_UNITS,
  type Schedule,
  type ScheduleForm,
  browserTimeZone,
  checkForm,
  createBody,
  emptyForm,
  formChanged,
  formErrorsFromDetails,
  formFromSchedule,
  timeZones,
  updateBody,
} from './schedule-helpers';

/** The input's text as JSON, or what is wrong with it and where. */
function parseInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'Give a JSON value ({} for none)' };
  const parsed = parseDefinition(text);
  if (parsed.ok) return parsed;
  const at = parsed.error.line !== undefined ? `Line ${parsed.error.line}, column ${parsed.error.column}: ` : '';
  return { ok: false, message: `${at}${parsed.error.message}` };
}

/** Creates a schedule, or changes one; the server's refusals land on the fields they name. */
export function ScheduleDialog({
  schedule,
  onClose,
  onSaved,
}: {
  schedule: Schedule | null;
  onClose: () => void;
  onSaved: (schedule: Schedule) => void;
}) {
  const queryClient = useQueryClient();
  const [initial] = useState<ScheduleForm>(() =>
    schedule ? formFromSchedule(schedule) : emptyForm(browserTimeZone()),
  );
  const [form, setForm] = useState<ScheduleForm>(initial);
  const zones = useMemo(() => timeZones(browserTimeZone(), schedule?.timezone ?? ''), [schedule]);
  const set = (changes: Partial<ScheduleForm>) => setForm((current) => ({ ...current, ...changes }));
  const title = schedule ? `Edit ${schedule.name}` : 'New schedule';
  const unsaved = formChanged(initial, form)
    ? schedule
      ? `The change to “${schedule.name}”`
      : 'The new schedule'
    : null;

  const { errors, failure, busy, submit } = useDialogSubmit({
    check: () => {
      const input = parseInput(form.input);
      return checkForm(form, input.ok ? { ok: true } : { ok: false, message: input.message });
    },
    send: async () => {
      const input = parseInput(form.input);
      if (!input.ok) return;
      const saved = schedule
        ? await updateSchedule(schedule.id, updateBody(form, input.value))
        : await createSchedule(createBody(form, input.value));
      await queryClient.invalidateQueries({ queryKey: queryKeys.schedules.all });
      onSaved(saved);
    },
    fieldsOf: formErrorsFromDetails,
    fallback: 'The schedule was not saved',
  });

  const fieldError = errors.fields;
  const hasFieldErrors = Object.keys(fieldError).length > 0;

  return (
    <FormDialog title={title} unsaved={unsaved} onClose={onClose} onSubmit={submit}>
      <TextInput
        label="Name"
        description="What it does, e.g. “Weekday morning report”"
        required
        maxLength={100}
        value={form.name}
        error={fieldError.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        data-autofocus
      />
      <TargetPicker label="Each fire starts" value={form} error={fieldError.target} onChange={set} />
      <Textarea
        className="schedule-input"
        label="Input (JSON)"
        description={
          form.kind === 'agent'
            ? "The task's input, checked against the agent type's input schema when you save"
            : 'The run’s input; the steps read it as "{{ input.<field> }}"'
        }
        autosize
        minRows={3}
        maxRows={12}
        spellCheck={false}
        value={form.input}
        error={fieldError.input}
        onChange={(e) => set({ input: e.currentTarget.value })}
      />
      <Radio.Group
        label="Fires"
        value={form.timing}
        onChange={(value) => set({ timing: value === 'every' ? 'every' : 'cron' })}
      >
        <Group mt={4}>
          <Radio value="cron" label="On a cron pattern" />
          <Radio value="every" label="Every so often" />
        </Group>
      </Radio.Group>
      {form.timing === 'cron' ? (
        <Group align="flex-start" grow>
          <TextInput
            label="Cron pattern"
            description={
              <>
                minute hour day month weekday (a 6th field first for seconds), e.g. <Code>0 9 * * 1-5</Code>
              </>
            }
            required
            className="code-input"
            spellCheck={false}
            value={form.cron}
            error={fieldError.cron}
            onChange={(e) => set({ cron: e.currentTarget.value })}
          />
          <NativeSelect
            label="Time zone"
            description="The pattern’s times are in this zone"
            value={form.timezone}
            error={fieldError.timezone}
            onChange={(e) => set({ timezone: e.currentTarget.value })}
            data={zones}
          />
        </Group>
      ) : (
        <Group align="flex-start">
          <TextInput
            label="Every"
            type="number"
            min={1}
            required
            w={140}
            value={form.everyCount}
            error={fieldError.every}
            onChange={(e) => set({ everyCount: e.currentTarget.value })}
          />
          <NativeSelect
            label="Unit"
            value={form.everyUnit}
            onChange={(e) => {
              const unit = EVERY_UNITS.find((u) => u.value === e.currentTarget.value);
              if (unit) set({ everyUnit: unit.value });
            }}
            data={EVERY_UNITS.map((u) => ({ value: u.value, label: u.label }))}
          />
        </Group>
      )}
      <Group align="flex-start" grow>
        <TextInput
          label="Not before (optional)"
          description="Your browser’s time zone"
          type="datetime-local"
          value={form.startAt}
          error={fieldError.startAt}
          onChange={(e) => set({ startAt: e.currentTarget.value })}
        />
        <TextInput
          label="Not after (optional)"
          description="No fire after this"
          type="datetime-local"
          value={form.endAt}
          error={fieldError.endAt}
          onChange={(e) => set({ endAt: e.currentTarget.value })}
        />
      </Group>
      <NativeSelect
        label="While the last fire’s task or run is still going"
        value={form.overlap}
        error={fieldError.overlap}
        onChange={(e) => set({ overlap: e.currentTarget.value === 'skip' ? 'skip' : 'allow' })}
        data={[
          { value: 'allow', label: 'Fire anyway' },
          { value: 'skip', label: 'Skip the fire' },
        ]}
      />
      <FormFooter
        notSaved="The schedule was not saved"
        failure={failure}
        hasFieldErrors={hasFieldErrors}
        busy={busy}
        submitLabel={schedule ? 'Save changes' : 'Create schedule'}
      />
    </FormDialog>
  );
}
