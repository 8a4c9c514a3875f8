import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { useId } from 'react';
import type { components } from '../../api/schema';
import { JsonView } from '../../components/JsonView';
import { TimeAgo } from '../../components/TimeAgo';
import type { Outcome } from './audit-filters';

export type AuditEntry = components['schemas']['AuditLogEntity'];

/** Names of the users an admin can see, to show a person instead of an id. */
export type UserNames = ReadonlyMap<string, { name: string; email: string }>;

/** An outcome as word and colour (success green, failure red, denied orange), AA contrast. */
const OUTCOME_COLOURS: Record<Outcome, string> = { success: 'green', failure: 'red', denied: 'orange' };

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <Badge color={OUTCOME_COLOURS[outcome]} variant="light" radius="sm">
      {outcome}
    </Badge>
  );
}

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

function Actor({ entry, users }: { entry: AuditEntry; users: UserNames }) {
  if (entry.actorType === 'system') return <span>system</span>;
  const kind = entry.actorType === 'apiKey' ? 'API key' : 'user';
  // A failed login or a refused credential: someone tried, and was not identified.
  if (!entry.actorId)
    return (
      <span>
        {kind}
        <span className="audit-secondary">not identified</span>
      </span>
    );
  const user = entry.actorType === 'user' ? users.get(entry.actorId) : undefined;
  return user ? (
    <span title={entry.actorId}>
      {user.name}
      <span className="audit-secondary">{user.email}</span>
    </span>
  ) : (
    <span title={entry.actorId}>
      <span className="audit-id">{short(entry.actorId)}</span>
      <span className="audit-secondary">{kind}</span>
    </span>
  );
}

function Resource({ entry, users }: { entry: AuditEntry; users: UserNames }) {
  if (!entry.resourceType && !entry.resourceId) return <span>—</span>;
  const user = entry.resourceType === 'user' && entry.resourceId ? users.get(entry.resourceId) : undefined;
  return (
    <span title={entry.resourceId ?? undefined}>
      {entry.resourceType ?? 'resource'}
      {user ? (
        <span className="audit-secondary">{user.name}</span>
      ) : (
        entry.resourceId && <span className="audit-secondary audit-id">{short(entry.resourceId)}</span>
      )}
    </span>
  );
}

interface AuditEntryRowProps {
  entry: AuditEntry;
  users: UserNames;
  expanded: boolean;
  onToggle: () => void;
  onFilter: (changes: { actorId?: string; resourceType?: string; resourceId?: string }) => void;
}

const COLUMNS = 6;

/** One entry: who did what to what, when, with what outcome; its details unfold below it. */
export function AuditEntryRow({ entry, users, expanded, onToggle, onFilter }: AuditEntryRowProps) {
  const detailsId = useId();
  return (
    <>
      <Table.Tr>
        <Table.Td>
          <TimeAgo value={entry.timestamp} />
        </Table.Td>
        <Table.Td>
          <Actor entry={entry} users={users} />
        </Table.Td>
        <Table.Td>
          <span className="audit-id">{entry.action}</span>
        </Table.Td>
        <Table.Td>
          <Resource entry={entry} users={users} />
        </Table.Td>
        <Table.Td>
          <OutcomeBadge outcome={entry.outcome} />
        </Table.Td>
        <Table.Td>
          <Button
            variant="subtle"
            size="compact-sm"
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            aria-label={`Details of ${entry.action}, entry ${entry.seq}`}
            onClick={onToggle}
          >
            {expanded ? '▾ Details' : '▸ Details'}
          </Button>
        </Table.Td>
      </Table.Tr>
      {expanded && (
        <Table.Tr className="audit-details-row" id={detailsId}>
          <Table.Td colSpan={COLUMNS}>
            <div className="audit-details">
              <div>
                <dl className="audit-meta" aria-label={`Entry ${entry.seq}`}>
                  <dt>Time</dt>
                  <dd>{entry.timestamp}</dd>
                  <dt>Entry</dt>
                  <dd className="audit-id">{entry.id}</dd>
                  <dt>Chain position</dt>
                  <dd>{Number(entry.seq).toLocaleString('en')}</dd>
                  <dt>Actor</dt>
                  <dd>
                    {entry.actorType}
                    {entry.actorId && <span className="audit-id"> {entry.actorId}</span>}
                  </dd>
                  <dt>Resource</dt>
                  <dd>
                    {entry.resourceType ?? '—'}
                    {entry.resourceId && <span className="audit-id"> {entry.resourceId}</span>}
                  </dd>
                  <dt>IP address</dt>
                  <dd>{entry.ip ?? '—'}</dd>
                  <dt>User agent</dt>
                  <dd>{entry.userAgent ?? '—'}</dd>
                  <dt>Request</dt>
                  <dd className="audit-id">{entry.requestId ?? '—'}</dd>
                  <dt>Hash</dt>
                  <dd className="audit-id">{entry.hash}</dd>
                  <dt>Previous hash</dt>
                  <dd className="audit-id">{entry.prevHash}</dd>
                </dl>
                <Group gap="xs" mt="sm">
                  {entry.actorId && (
                    <Button
                      variant="default"
                      size="xs"
                      onClick={() => onFilter({ actorId: entry.actorId ?? undefined })}
                    >
                      Only this actor
                    </Button>
                  )}
                  {entry.resourceType && (
                    <Button
                      variant="default"
                      size="xs"
                      onClick={() =>
                        onFilter({
                          resourceType: entry.resourceType ?? undefined,
                          resourceId: entry.resourceId ?? undefined,
                        })
                      }
                    >
                      Only this resource
                    </Button>
                  )}
                </Group>
              </div>
              {Object.keys(entry.details).length > 0 ? (
                <JsonView value={entry.details} label="Entry details" />
              ) : (
                <Text size="sm">No further details were recorded.</Text>
              )}
            </div>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
