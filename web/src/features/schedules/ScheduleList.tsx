import { Anchor, Button, Code, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { queryKeys } from '../../api/query-keys';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { RowActions } from '../../components/RowActions';
import { Pager, PastTheEnd } from '../../components/Pager';
import { withPage } from '../../components/paging';
import { TimeAgo } from '../../components/TimeAgo';
import { useNow } from '../../components/use-now';
import { FireHistory } from './FireHistory';
import { useTargetName } from '../workflows/use-target-name';
import { deleteSchedule, scheduleListQuery, updateSchedule, useSchedulesWriteBlocked } from './schedule-api';
import {
  SCHEDULES_PAGE_SIZE,
  type Schedule,
  describeEvery,
  fireTime,
  lastTargetPath,
  listApiQuery,
  listParamsFromSearch,
  upcomingFires,
} from './schedule-helpers';

/** Active or paused, as colour and word; paused by the platform, it says why. */
export function ScheduleStatus({ schedule }: { schedule: Pick<Schedule, 'paused' | 'pausedReason'> }) {
  const status = schedule.paused ? 'paused' : 'active';
  return (
    <Stack gap={2}>
      <span className="state-pill" data-status={status}>
        {status}
      </span>
      {schedule.paused && schedule.pausedReason && (
        <Text size="xs" c="dimmed">
          {schedule.pausedReason}
        </Text>
      )}
    </Stack>
  );
}

/** "cron `0 9 * * 1-5` (Europe/Berlin)" or "every 5 min". */
export function Timing({ schedule }: { schedule: Pick<Schedule, 'cron' | 'everyMs' | 'timezone'> }) {
  if (schedule.cron) {
    return (
      <>
        cron <Code>{schedule.cron}</Code> ({schedule.timezone})
      </>
    );
  }
  return <>{schedule.everyMs ? describeEvery(schedule.everyMs) : '—'}</>;
}

/** The target's name (linked to its page), from the lists of agents and workflows the user may read. */
function Actions({
  schedule,
  onEdit,
  onChanged,
}: {
  schedule: Schedule;
  onEdit: (schedule: Schedule) => void;
  onChanged: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const setPaused = async (paused: boolean) => {
    await updateSchedule(schedule.id, { paused });
    await queryClient.invalidateQueries({ queryKey: queryKeys.schedules.all });
    onChanged(paused ? `Paused “${schedule.name}”: it does not fire until resumed.` : `Resumed “${schedule.name}”.`);
  };

  const remove = async () => {
    await deleteSchedule(schedule.id);
    await queryClient.invalidateQueries({ queryKey: queryKeys.schedules.all });
    onChanged(`Deleted “${schedule.name}”; what it started stays.`);
  };

  return (
    <RowActions
      name={schedule.name}
      toggleLabel={schedule.paused ? 'Resume' : 'Pause'}
      onToggle={() => setPaused(!schedule.paused)}
      onEdit={() => onEdit(schedule)}
      confirmDelete="Delete the schedule"
      consequence={`Schedule “${schedule.name}” is deleted and fires no more; the tasks and runs it started stay.`}
      onDelete={remove}
    />
  );
}

/** The user's schedules (an admin's: everyone's), newest first, paged in the URL (`?page=`). */
export function ScheduleList({
  emptyAction,
  onEdit,
  onChanged,
}: {
  emptyAction: ReactNode;
  onEdit: (schedule: Schedule) => void;
  onChanged: (message: string) => void;
}) {
  const blocked = useSchedulesWriteBlocked();
  const [search, setSearch] = useSearchParams();
  const params = listParamsFromSearch(search);
  const query = listApiQuery(params);
  const schedules = useQuery(scheduleListQuery(query));
  const targetName = useTargetName();
  const now = useNow();

  const goTo = (page: number) => setSearch(withPage(search, page));
  // The schedule whose fire history is open, in the URL (`?fires=<id>`) so it can be shared.
  const open = search.get('fires');
  const toggleFires = (id: string) => {
    const next = new URLSearchParams(search);
    if (open === id) next.delete('fires');
    else next.set('fires', id);
    setSearch(next, { replace: true });
  };
  const columns = blocked ? 6 : 7;

  if (schedules.isPending) {
    return (
      <Stack role="progressbar" gap="xs" aria-busy="true" aria-label="Loading schedules">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} height={36} />
        ))}
      </Stack>
    );
  }
  if (schedules.isError) {
    return (
      <ErrorState
        title="Could not load the schedules"
        error={schedules.error}
        onRetry={() => void schedules.refetch()}
      />
    );
  }
  const total = schedules.data.total;
  if (schedules.data.items.length === 0) {
    return params.page > 1 && total > 0 ? (
      <PastTheEnd total={total} noun="schedules" onFirst={() => goTo(1)} />
    ) : (
      <EmptyState title="No schedules yet" action={emptyAction}>
        {blocked
          ? 'Operators and admins create schedules here (or with POST /api/v1/schedules); each is listed with its next fire.'
          : 'Create one with “New schedule”: choose an agent or a workflow, its input, and a cron pattern or a period. You can also use POST /api/v1/schedules.'}
      </EmptyState>
    );
  }

  return (
    <Stack gap="sm">
      {/* On a narrow screen the table scrolls sideways: which schedule and whether it is active come first, so
          they stay in view without scrolling, as on the Tasks list. */}
      <Table.ScrollContainer minWidth={880}>
        <Table striped highlightOnHover aria-label="Schedules">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Target</Table.Th>
              <Table.Th scope="col">Timing</Table.Th>
              <Table.Th scope="col">Next fire</Table.Th>
              <Table.Th scope="col">Last fire</Table.Th>
              {!blocked && <Table.Th scope="col">Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {schedules.data.items.map((schedule) => {
              const target = targetName(schedule.target);
              const last = lastTargetPath(schedule);
              const expanded = open === schedule.id;
              const next = upcomingFires(schedule.nextFires, now)[0];
              return (
                <Fragment key={schedule.id}>
                  <Table.Tr>
                    <Table.Th scope="row" fw={500}>
                      <Group gap={6} wrap="nowrap">
                        <span className="truncate schedules-name" title={schedule.name}>
                          {schedule.name}
                        </span>
                        <Button
                          variant="subtle"
                          size="compact-xs"
                          aria-expanded={expanded}
                          aria-controls={`fires-${schedule.id}`}
                          aria-label={`Fire history of ${schedule.name}`}
                          onClick={() => toggleFires(schedule.id)}
                        >
                          {expanded ? 'Hide history' : 'History'}
                        </Button>
                      </Group>
                    </Table.Th>
                    <Table.Td>
                      <ScheduleStatus schedule={schedule} />
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={target.to} className="truncate" title={target.label}>
                        {target.label}
                      </Anchor>
                    </Table.Td>
                    <Table.Td className="nowrap">
                      <Timing schedule={schedule} />
                      {schedule.overlap === 'skip' && (
                        <Text size="xs" c="dimmed">
                          skips a fire while the last one runs
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td data-label="Next fire" className="nowrap">
                      {next ? (
                        <>
                          <TimeAgo value={next} />
                          <Text size="xs" c="dimmed">
                            {fireTime(next, schedule.timezone)}
                          </Text>
                        </>
                      ) : (
                        <Text size="sm" c="dimmed" span>
                          {schedule.paused
                            ? 'none while paused'
                            : schedule.nextFires.length > 0
                              ? 'due now'
                              : 'none ahead'}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td className="nowrap">
                      {schedule.lastFireAt ? (
                        <Group gap={6} wrap="nowrap">
                          <TimeAgo value={schedule.lastFireAt} />
                          {last && (
                            <Anchor component={Link} to={last} size="sm">
                              {schedule.target.kind === 'workflow' ? 'run' : 'task'}
                            </Anchor>
                          )}
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed" span>
                          never
                        </Text>
                      )}
                    </Table.Td>
                    {!blocked && (
                      <Table.Td className="nowrap">
                        <Actions schedule={schedule} onEdit={onEdit} onChanged={onChanged} />
                      </Table.Td>
                    )}
                  </Table.Tr>
                  {expanded && (
                    <Table.Tr>
                      <Table.Td colSpan={columns}>
                        <FireHistory schedule={schedule} id={`fires-${schedule.id}`} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager page={params.page} skip={query.skip} size={SCHEDULES_PAGE_SIZE} total={total} onPage={goTo} />
    </Stack>
  );
}
