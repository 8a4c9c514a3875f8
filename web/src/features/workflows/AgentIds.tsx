import { Anchor, Code, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Agent } from './workflow-api';

/** The agents' ids, to copy into `agentId`. */
export function AgentIds({ agents }: { agents: Agent[] }) {
  if (agents.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No agents yet: a step runs an agent, so create one on the{' '}
        <Anchor component={Link} to="/agents">
          Agents
        </Anchor>{' '}
        page first.
      </Text>
    );
  }
  return (
    <details>
      <summary>
        <Text span size="sm" fw={600}>
          Agent ids ({agents.length.toLocaleString('en')})
        </Text>
      </summary>
      <Table mt="xs" aria-label="Agent ids">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Agent</Table.Th>
            <Table.Th scope="col">Type</Table.Th>
            <Table.Th scope="col">Id</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agents.map((agent) => (
            <Table.Tr key={agent.id}>
              <Table.Td>{agent.name}</Table.Td>
              <Table.Td>{agent.type}</Table.Td>
              <Table.Td>
                <Code>{agent.id}</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </details>
  );
}
