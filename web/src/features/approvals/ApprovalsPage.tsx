import { Anchor, Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { keepFocusAfter } from '../../components/keep-focus';
import { ListBody, ListSkeleton } from '../../components/ListBody';
import { Notice } from '../../components/Notice';
import { PageTitle } from '../../components/PageTitle';
import { Pager } from '../../components/Pager';
import { pageOfSearch, pageQuery, withPage } from '../../components/paging';
import { TimeAgo } from '../../components/TimeAgo';
import { DecideDialog, type Outcome } from '../workflows/DecideDialog';
import { APPROVALS_PAGE_SIZE, type WaitingApproval, approvalsQuery, decidersOf } from './approvals-api';

/**
 * `/approvals`: the approval steps waiting for the signed-in user's decision, on their own runs and, for a step
 * that names a permission they hold, on anyone's: approve or reject each here. A run they may not read is named
 * by its workflow and step alone, as the API tells them.
 */
export function ApprovalsPage() {
  const me = useMe();
  const [search, setSearch] = useSearchParams();
  const page = pageOfSearch(search);
  const { skip } = pageQuery(page, APPROVALS_PAGE_SIZE);
  const approvals = useQuery(approvalsQuery({ skip, limit: APPROVALS_PAGE_SIZE }));
  const [deciding, setDeciding] = useState<{ approval: WaitingApproval; outcome: Outcome } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** The Approve or Reject button the decision was asked from, and the page, for where focus goes after it. */
  const opener = useRef<HTMLElement | null>(null);
  const pageRef = useRef<HTMLDivElement>(null);
  const goTo = (next: number) => setSearch(withPage(search, next));
  const mayDecide = me.permissions.includes('workflows:read');

  const total = approvals.data?.total ?? 0;
  const body = !mayDecide ? (
    <EmptyState title="Not available for your role">
      Deciding approval steps needs the workflows:read permission, which your role ({me.role}) does not have.
    </EmptyState>
  ) : (
    <ListBody
      query={approvals}
      loading={<ListSkeleton label="Loading approvals" rows={3} height={36} role={null} />}
      errorTitle="Could not load the approvals"
      count={(data) => data.items.length}
      pastTheEnd={{ page, total, noun: 'approvals', onFirst: () => goTo(1) }}
      empty={
        <EmptyState title="Nothing waits for your decision">
          An approval step of a running workflow run shows here when you may decide it: on your own runs, and on
          anyone’s when the step names a permission you hold.
        </EmptyState>
      }
    >
      {({ items }) => (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={760}>
            <Table striped aria-label="Approvals waiting for you">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Step</Table.Th>
                  <Table.Th scope="col">Workflow</Table.Th>
                  <Table.Th scope="col">Run started</Table.Th>
                  <Table.Th scope="col">Decided by</Table.Th>
                  <Table.Th scope="col">Deadline</Table.Th>
                  <Table.Th scope="col">Decision</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((approval) => (
                  <ApprovalRow
                    key={`${approval.runId}/${approval.stepId}`}
                    approval={approval}
                    onDecide={(outcome) => {
                      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
                      setDeciding({ approval, outcome });
                    }}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} skip={skip} size={APPROVALS_PAGE_SIZE} total={total} onPage={goTo} />
        </Stack>
      )}
    </ListBody>
  );

  return (
    <Stack ref={pageRef}>
      <PageTitle>Approvals</PageTitle>
      <Text maw={760}>
        Approval steps of running workflow runs that wait for your decision. Approving lets the run go on; rejecting
        fails the step.
      </Text>
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      {body}
      {deciding && (
        <DecideDialog
          target={deciding.approval}
          outcome={deciding.outcome}
          onClose={() => setDeciding(null)}
          onDecided={(message) => {
            setDeciding(null);
            setNotice(`${deciding.approval.workflowName}: ${message}`);
            // The decided step leaves the list with its buttons: the keyboard user goes on at the next one's
            // Approve, else at the notice.
            keepFocusAfter(
              () => opener.current,
              () =>
                pageRef.current?.querySelector<HTMLElement>('button[aria-label^="Approve step"]') ??
                pageRef.current?.querySelector<HTMLElement>('[role="status"] button'),
            );
          }}
        />
      )}
    </Stack>
  );
}

function ApprovalRow({ approval, onDecide }: { approval: WaitingApproval; onDecide: (outcome: Outcome) => void }) {
  const runPath = `/workflows/${approval.workflowId}/runs/${approval.runId}`;
  return (
    <Table.Tr>
      <Table.Th scope="row" fw={500}>
        {approval.mayReadRun ? (
          <Anchor component={Link} to={runPath}>
            {approval.stepId}
          </Anchor>
        ) : (
          approval.stepId
        )}
      </Table.Th>
      <Table.Td>
        <Anchor component={Link} to={`/workflows/${approval.workflowId}`}>
          {approval.workflowName}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <TimeAgo value={approval.runCreatedAt} />
      </Table.Td>
      <Table.Td>{decidersOf(approval)}</Table.Td>
      <Table.Td>{approval.approvalDeadline ? <TimeAgo value={approval.approvalDeadline} /> : 'None'}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="default"
            onClick={() => onDecide('approve')}
            aria-label={`Approve step ${approval.stepId} of ${approval.workflowName}`}
          >
            Approve
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            onClick={() => onDecide('reject')}
            aria-label={`Reject step ${approval.stepId} of ${approval.workflowName}`}
          >
            Reject
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
