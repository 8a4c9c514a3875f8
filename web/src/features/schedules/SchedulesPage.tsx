import { Button, Group, List, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { TimeAgo } from '../../components/TimeAgo';
import { useNow } from '../../components/use-now';
import { ScheduleDialog } from './ScheduleDialog';
import { ScheduleList } from './ScheduleList';
import { useSchedulesWriteBlocked } from './schedule-api';
import { type Schedule, fireTime, upcomingFires } from './schedule-helpers';
import './schedules.css';

/** A saved schedule's next fires, in its time zone; those that pass while the notice is open leave the list. */
function NextFires({ schedule }: { schedule: Schedule }) {
  const fires = upcomingFires(schedule.nextFires, useNow());
  if (fires.length === 0) {
    // The fires listed when it was saved have passed: more follow, the list does not know them yet.
    if (schedule.nextFires.length > 0) return <Text size="sm">Its next fire is due now.</Text>;
    return <Text size="sm">It has no fire ahead{schedule.paused ? ' while it is paused' : ''}.</Text>;
  }
  return (
    <>
      <Text size="sm">Its next fires:</Text>
      <List size="sm" aria-label={`Next fires of ${schedule.name}`} className="schedule-fires">
        {fires.map((fire) => (
          <List.Item key={fire}>
            {fireTime(fire, schedule.timezone)}, <TimeAgo value={fire} />
          </List.Item>
        ))}
      </List>
    </>
  );
}

type Editing = { mode: 'create' } | { mode: 'edit'; schedule: Schedule } | null;

/** `/schedules`: what starts tasks and workflow runs by itself, when it fires next and what it last started. */
export function SchedulesPage() {
  const blocked = useSchedulesWriteBlocked();
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<Schedule | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const createButton = useRef<HTMLButtonElement>(null);
  /** What opened the dialog (a row's menu button): focus goes back to it when it closes, else to New schedule. */
  const opener = useRef<HTMLElement | null>(null);
  const refocus = () =>
    setTimeout(() => (opener.current?.isConnected ? opener.current : createButton.current)?.focus());

  const startCreating = () => {
    opener.current = null;
    setSaved(null);
    setNotice(null);
    setEditing({ mode: 'create' });
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <PageTitle>Schedules</PageTitle>
        {blocked ? (
          <Text size="sm" c="dimmed" maw={320}>
            Creating, pausing and deleting schedules needs the schedules:write permission.
          </Text>
        ) : (
          <Button ref={createButton} onClick={startCreating}>
            New schedule
          </Button>
        )}
      </Group>
      <Text maw={760}>
        A schedule starts a task of an agent, or a run of a workflow, on a cron pattern in a time zone or every so
        often, each fire exactly once. Pausing stops its fires at once; resuming fires from then on.
      </Text>
      {saved && (
        <Notice title={`Saved “${saved.name}”`} onDismiss={() => setSaved(null)}>
          <NextFires schedule={saved} />
        </Notice>
      )}
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      <ScheduleList
        emptyAction={
          blocked ? null : (
            <Button variant="default" onClick={startCreating}>
              Create a schedule
            </Button>
          )
        }
        onEdit={(schedule, from) => {
          opener.current = from;
          setSaved(null);
          setNotice(null);
          setEditing({ mode: 'edit', schedule });
        }}
        onChanged={(message) => {
          setSaved(null);
          setNotice(message);
        }}
        focusWhenGone={() => createButton.current}
      />
      {editing && (
        <ScheduleDialog
          schedule={editing.mode === 'edit' ? editing.schedule : null}
          onClose={() => {
            setEditing(null);
            refocus();
          }}
          onSaved={(schedule) => {
            setEditing(null);
            setNotice(null);
            setSaved(schedule);
            refocus();
          }}
        />
      )}
    </Stack>
  );
}
