import { Anchor, Badge, Skeleton, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
import { TimeAgo } from '../../components/TimeAgo';
import { type OpenBreaker, agentQuery } from './stats-api';

const MEANING: Record<OpenBreaker['state'], string> = {
  open: 'calls fail fast until the reset time has passed',
  'half-open': 'the next call decides whether it closes again',
};

function BreakerItem({ breaker }: { breaker: OpenBreaker }) {
  const agent = useQuery(agentQuery(breaker.agentId));
  const name = agent.data?.name ?? `Agent ${breaker.agentId.slice(0, 8)}`;
  return (
    <li className="overview-breaker">
      {agent.isPending ? (
        <Skeleton role="progressbar" height={20} width="10rem" aria-label="Loading the agent's name" />
      ) : (
        <Anchor component={Link} to={`/agents/${breaker.agentId}`} fw={600}>
          {name}
        </Anchor>
      )}
      {agent.data && (
        <Text span size="sm" c="gray.7">
          {agent.data.type}
        </Text>
      )}
      <Badge color={breaker.state === 'open' ? 'red' : 'yellow'} variant="light" radius="sm">
        {breaker.state}
      </Badge>
      {breaker.since && (
        <Text span size="sm" c="gray.7">
          since <TimeAgo value={breaker.since} />
        </Text>
      )}
      <Text span size="sm" c="gray.7">
        {MEANING[breaker.state]}
      </Text>
    </li>
  );
}

/** The circuit breakers not closed (shown only when there are some), each with its agent (a link to its page). */
export function OpenBreakers({ breakers }: { breakers: OpenBreaker[] }) {
  const titleId = useId();
  return (
    <section className="overview-panel" aria-labelledby={titleId} id="open-breakers" tabIndex={-1}>
      <Title order={2} size="h4" id={titleId}>
        Open circuit breakers
      </Title>
      <ul className="overview-breakers" aria-labelledby={titleId}>
        {breakers.map((breaker) => (
          <BreakerItem key={breaker.agentId} breaker={breaker} />
        ))}
      </ul>
    </section>
  );
}
