import { Anchor, Button, Code, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { noneYet, ownOnlyNote } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { Pager } from '../../components/Pager';
import { withPage } from '../../components/paging';
import { TimeAgo } from '../../components/TimeAgo';
import { useNow } from '../../components/use-now';
import { FireHistory } from './FireHistory';
import { ScheduleActions } from './ScheduleActions';
import { deletedTargetNote, StartTargetLink } from '../workflows/StartTargetLink';
import { useTargetName } from '../workflows/use-target-name';
import { scheduleListQuery, useSchedulesWriteBlocked } from './schedule-api';
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
        <Text size="xs" c="dimmed" className="schedules-paused-reason">
          {schedule.pausedReason}
        </Text>
      )}
    </Stack>
  );
}

/**
 * Text that may break after each `after` character (the slashes of a time zone, "America/Argentina/Salta"; the
 * commas of a cron field's list) rather than widen its column or break inside a word.
 */
function Breakable({ text, after }: { text: string; after: string }) {
  const parts = text.split(after);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              {after}
              <wbr />
            </>
          )}
        </Fragment>
      ))}
    </>
  );
}

/**
 * "cron `0 9 * * 1-5` (Europe/Berlin)" or "every 5 min". In a narrow column the zone goes to the next line, and a
 * long pattern breaks between its fields or after a comma.
 */
export function Timing({ schedule }: { schedule: Pick<Schedule, 'cron' | 'everyMs' | 'timezone'> }) {
  if (schedule.cron) {
    return (
      <>
        cron{' '}
        <Code className="schedules-cron">
          <Breakable text={schedule.cron} after="," />
        </Code>{' '}
        <span className="schedules-zone">
          (<Breakable text={schedule.timezone} after="/" />)
        </span>
      </>
    );
  }
  return <>{schedule.everyMs ? describeEvery(schedule.everyMs) : '—'}</>;
}

/**
 * When a schedule fires next (how soon, and the date in its time zone) and when it last fired (with the task or
 * run it started), each named in words, and the toggle of its fire history.
 */
function Fires({ schedule, now, history }: { schedule: Schedule; now: number; history: ReactNode }) {
  const next = upcomingFires(schedule.nextFires, now)[0];
  const last = lastTargetPath(schedule);
  return (
    <dl className="schedules-fire-times">
      <dt>Next</dt>
      <dd className="schedules-next">
        {next ? (
          <TimeAgo value={next} />
        ) : (
          <Text size="sm" c="dimmed" span>
            {schedule.paused ? 'none while paused' : schedule.nextFires.length > 0 ? 'due now' : 'none ahead'}
          </Text>
        )}
      </dd>
      {next && (
        <dd className="schedules-next-date">
          <Text size="xs" c="dimmed">
            <Breakable text={fireTime(next, schedule.timezone)} after="/" />
          </Text>
        </dd>
      )}
      <dt>Last</dt>
      <dd className="schedules-last">
        <span className="nowrap">
          {schedule.lastFireAt ? (
            <TimeAgo value={schedule.lastFireAt} />
          ) : (
            <Text size="sm" c="dimmed" span>
              never
            </Text>
          )}
          {last && (
            <>
              <span aria-hidden="true"> · </span>
              <Anchor component={Link} to={last} size="sm">
                {schedule.target.kind === 'workflow' ? 'run' : 'task'}
              </Anchor>
            </>
          )}
        </span>{' '}
        {history}
      </dd>
    </dl>
  );
}

/** The user's schedules (an admin's: everyone's), newest first, paged in the URL (`?page=`). */
export function ScheduleList({
  emptyAction,
  onEdit,
  onChanged,
  focusWhenGone,
}: {
  emptyAction: ReactNode;
  onEdit: (schedule: Schedule, opener: HTMLElement | null) => void;
  onChanged: (message: string) => void;
  /** Where focus goes once a deleted schedule's row (and the focus in it) is gone. */
  focusWhenGone: () => HTMLElement | null | undefined;
}) {
  const me = useMe();
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
  const columns = blocked ? 5 : 6;

  const total = schedules.data?.total ?? 0;
  return (
    <ListBody
      query={schedules}
      loading={<ListSkeleton label="Loading schedules" rows={4} height={36} />}
      errorTitle="Could not load the schedules"
      count={(data) => data.items.length}
      pastTheEnd={{ page: params.page, total, noun: 'schedules', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title={noneYet('schedules', me)} action={emptyAction}>
          {blocked
            ? 'Operators and admins create schedules here (or with POST /api/v1/schedules); each is listed with its next fire.'
            : 'Create one with “New schedule”: choose an agent or a workflow, its input, and a cron pattern or a period. You can also use POST /api/v1/schedules.'}{' '}
          {ownOnlyNote('schedules', me)}
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          {/* At a laptop's width the table fits (its columns' widths are set in schedules.css): the name and the
              target take what the others leave and are cut, whole in their tooltips; the fires share one column and
              Edit and Delete sit in a menu. Narrower, it scrolls sideways in its box, which schedule and whether it
              is active first. */}
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover layout="fixed" aria-label="Schedules" className="schedules-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col" className="schedules-status-col">
                    Status
                  </Table.Th>
                  <Table.Th scope="col" className="schedules-target-col">
                    Target
                  </Table.Th>
                  <Table.Th scope="col" className="schedules-timing-col">
                    Timing
                  </Table.Th>
                  <Table.Th scope="col" className="schedules-fires-col">
                    Fires
                  </Table.Th>
                  {!blocked && (
                    <Table.Th scope="col" className="schedules-actions-col">
                      Actions
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((schedule) => {
                  const target = targetName(schedule.target);
                  const expanded = open === schedule.id;
                  return (
                    <Fragment key={schedule.id}>
                      <Table.Tr>
                        <Table.Th scope="row" fw={500}>
                          <span className="truncate" title={schedule.name}>
                            {schedule.name}
                          </span>
                        </Table.Th>
                        <Table.Td>
                          <ScheduleStatus schedule={schedule} />
                        </Table.Td>
                        <Table.Td>
                          <StartTargetLink target={target} deleted={schedule.targetDeleted} className="truncate" />
                          {schedule.targetDeleted && !schedule.pausedReason && (
                            <Text size="xs" c="red.9">
                              {deletedTargetNote(
                                schedule.target,
                                schedule.paused ? 'point it at another target' : 'it pauses at its next fire',
                              )}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Timing schedule={schedule} />
                          {schedule.overlap === 'skip' && (
                            <Text size="xs" c="dimmed">
                              skips a fire while the last one runs
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Fires
                            schedule={schedule}
                            now={now}
                            history={
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
                            }
                          />
                        </Table.Td>
                        {!blocked && (
                          <Table.Td>
                            <ScheduleActions
                              schedule={schedule}
                              onEdit={onEdit}
                              onChanged={onChanged}
                              focusWhenGone={focusWhenGone}
                            />
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
      )}
    </ListBody>
  );
}
