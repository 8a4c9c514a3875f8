import { Anchor, Skeleton, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { toApiError } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { ErrorState } from '../../components/ErrorState';
import { Pager } from '../../components/Pager';
import { TimeAgo } from '../../components/TimeAgo';
import { FIRES_PAGE_SIZE, fireLateness, fireOutcomeText, fireTargetPath } from './fire-helpers';
import type { Schedule } from './schedule-helpers';

/** A schedule's handled fires, latest first, paged: when, what came of it, what it started, when it was handled. */
export function FireHistory({ schedule, id }: { schedule: Schedule; id: string }) {
  const [page, setPage] = useState(1);
  const skip = (page - 1) * FIRES_PAGE_SIZE;
  const fires = useQuery({
    queryKey: queryKeys.schedules.fires(schedule.id, { skip }),
    queryFn: async () => {
      const result = await api.GET('/api/v1/schedules/{id}/fires', {
        params: { path: { id: schedule.id }, query: { skip, limit: FIRES_PAGE_SIZE } },
      });
      if (!result.data) throw toApiError(result.error, result.response);
      return { items: result.data.data, total: result.data.meta.total };
    },
    placeholderData: keepPreviousData,
  });
  const kind = schedule.target.kind === 'workflow' ? 'run' : 'task';

  let body;
  if (fires.isPending)
    body = <Skeleton role="progressbar" height={80} aria-busy="true" aria-label="Loading the fire history" />;
  else if (fires.isError)
    body = (
      <ErrorState title="Could not load the fire history" error={fires.error} onRetry={() => void fires.refetch()} />
    );
  else if (fires.data.items.length === 0)
    body = (
      <Text size="sm" c="dimmed">
        No fire yet: each fire is listed here once handled, with what it started.
      </Text>
    );
  else
    body = (
      <>
        <Table aria-label={`Fire history of ${schedule.name}`} withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Fire time</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Started</Table.Th>
              <Table.Th scope="col">Handled</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fires.data.items.map((fire) => {
              const to = fireTargetPath(schedule, fire);
              const late = fireLateness(fire);
              return (
                <Table.Tr key={fire.fireAt}>
                  <Table.Td>
                    <TimeAgo value={fire.fireAt} />
                  </Table.Td>
                  <Table.Td>
                    <span className="state-pill" data-status={fire.outcome}>
                      {fireOutcomeText(fire)}
                    </span>
                  </Table.Td>
                  <Table.Td>
                    {to && fire.targetId ? (
                      <Anchor component={Link} to={to} size="sm">
                        {kind} {fire.targetId.slice(0, 8)}
                      </Anchor>
                    ) : (
                      <Text size="sm" c="dimmed" span>
                        nothing
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <TimeAgo value={fire.handledAt} />
                    {late && (
                      <Text size="xs" c="orange.9" span>
                        {' '}
                        ({late})
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        {fires.data.total > FIRES_PAGE_SIZE && (
          <Pager page={page} skip={skip} size={FIRES_PAGE_SIZE} total={fires.data.total} onPage={setPage} />
        )}
      </>
    );
  return (
    <Stack gap="xs" id={id} p="xs">
      <Text size="sm" fw={600}>
        Fire history of “{schedule.name}”
      </Text>
      {body}
    </Stack>
  );
}
