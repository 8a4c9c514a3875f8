import { Table, Text, Title } from '@mantine/core';
import { useId } from 'react';
import { type OutcomeWindow, type StatsWindow, durationRows, formatCount, formatDuration } from './overview-data';

const SPAN: Record<StatsWindow, string> = { hour: 'last hour', day: 'last 24 hours' };

/** p95 of finishedAt − startedAt (a run's start to its end) per agent type, for the tasks that finished in the window. */
export function Durations({ outcomes, window }: { outcomes: OutcomeWindow; window: StatsWindow }) {
  const titleId = useId();
  const rows = durationRows(outcomes);
  const title = `Task duration (p95, a run's start to its end) by agent type, ${SPAN[window]}`;
  return (
    <section className="overview-panel" aria-labelledby={titleId}>
      <Title order={2} size="h4" id={titleId}>
        {title}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="gray.7">
          No task finished in the {SPAN[window]}.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-labelledby={titleId} striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Agent type</Table.Th>
                <Table.Th scope="col" className="overview-number">
                  Finished
                </Table.Th>
                <Table.Th scope="col" className="overview-number">
                  p95 duration
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.agentType}>
                  <Table.Th scope="row" fw={500}>
                    {row.agentType}
                  </Table.Th>
                  <Table.Td className="overview-number">{formatCount(row.finished)}</Table.Td>
                  <Table.Td className="overview-number">
                    {row.p95Ms === null ? 'never started' : formatDuration(row.p95Ms)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}
