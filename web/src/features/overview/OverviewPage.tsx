import { Button, Group, SegmentedControl, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { Link, useSearchParams } from 'react-router';
import { noneYet } from '../../app/own-lists';
import { useMe } from '../../app/session';
import { EmptyState } from '../../components/EmptyState';
import { ErrorState } from '../../components/ErrorState';
import { PageTitle } from '../../components/PageTitle';
import { PartBoundary } from '../../components/PartBoundary';
import { lazyRetrying } from '../../components/lazy-retrying';
import { Durations } from './Durations';
import { Figures, FiguresSkeleton } from './Figures';
import { OpenBreakers } from './OpenBreakers';
import { type StatsWindow, clockTime, hasNoRecentTasks, parseWindow } from './overview-data';
import { type Stats, anyTaskQuery, statsQuery } from './stats-api';
import './overview.css';

// Recharts is a chunk of its own: the figures show before it has loaded (and without it, if it cannot be fetched).
const StatusCharts = lazyRetrying(() => import('./StatusCharts'));

const WINDOWS: { value: StatsWindow; label: string }[] = [
  { value: 'hour', label: 'Last hour' },
  { value: 'day', label: 'Last 24 hours' },
];

/** Two chart panels' worth of placeholder, the size of the charts (no layout shift when they arrive). */
function ChartsSkeleton() {
  return (
    <div className="overview-charts" aria-hidden>
      {[0, 1].map((i) => (
        <div key={i} className="overview-panel">
          <Skeleton className="overview-panel-title" width="60%" />
          <Skeleton className="overview-chart-summary" width="80%" />
          <Skeleton className="overview-chart" />
        </div>
      ))}
    </div>
  );
}

/** No task in the last day: whether there has never been one (what to do first) or just none lately. */
function NoRecentTasks() {
  const me = useMe();
  const anyTask = useQuery(anyTaskQuery(true));
  const canCreate = me.permissions.includes('tasks:write');
  if (anyTask.isPending) return <Skeleton height={140} radius="md" />;
  if (anyTask.isSuccess && anyTask.data.total > 0) {
    return (
      <EmptyState
        title="No tasks in the last 24 hours"
        action={
          <Group gap="sm">
            <Button component={Link} to="/tasks" variant="default">
              Open the task list
            </Button>
            {canCreate && (
              <Button component={Link} to="/tasks/new" variant="default">
                New task
              </Button>
            )}
          </Group>
        }
      >
        The charts cover the last day; older tasks are in the task list.
      </EmptyState>
    );
  }
  return (
    <EmptyState
      title={noneYet('tasks', me)}
      action={
        <Group gap="sm">
          <Button component={Link} to="/agents" variant="default">
            Agents
          </Button>
          {canCreate && (
            <Button component={Link} to="/tasks/new" variant="default">
              New task
            </Button>
          )}
        </Group>
      }
    >
      {canCreate
        ? 'Charts of task throughput, failures and durations appear here once tasks run. Pick or create an agent, then give it a task.'
        : 'Charts of your tasks appear here once you have some. Creating tasks needs the tasks:write permission (operators and admins); meanwhile you can browse the agents.'}
    </EmptyState>
  );
}

function Dashboard({ stats, window }: { stats: Stats; window: StatsWindow }) {
  const [search, setSearch] = useSearchParams();
  const setWindow = (value: string) => {
    const next = new URLSearchParams(search);
    if (value === 'day') next.set('window', 'day');
    else next.delete('window');
    setSearch(next);
  };
  if (hasNoRecentTasks(stats)) {
    return (
      <>
        <Figures stats={stats} />
        <NoRecentTasks />
      </>
    );
  }
  const buckets = window === 'day' ? stats.perHour : stats.perMinute;
  return (
    <>
      <Figures stats={stats} />
      <Group justify="space-between" align="center" className="overview-window-row">
        <Text size="sm" c="gray.7">
          Tasks are counted by when they were created, with the status they have now.
        </Text>
        <SegmentedControl
          aria-label="Chart window"
          value={window}
          onChange={setWindow}
          data={WINDOWS}
          withItemsBorders={false}
        />
      </Group>
      <PartBoundary what="The charts">
        <Suspense fallback={<ChartsSkeleton />}>
          <StatusCharts buckets={buckets} window={window} />
        </Suspense>
      </PartBoundary>
      <div className="overview-columns">
        <Durations outcomes={window === 'day' ? stats.lastDay : stats.lastHour} window={window} />
        {/* With none open, the figure above says so ("All closed"): the panel lists the open ones only. */}
        {stats.openCircuitBreakers.length > 0 && <OpenBreakers breakers={stats.openCircuitBreakers} />}
      </div>
    </>
  );
}

/** `/`: is everything healthy? Figures, throughput and failures over time, durations and open breakers. */
export function OverviewPage() {
  const [search] = useSearchParams();
  const window = parseWindow(search.get('window'));
  const stats = useQuery(statsQuery());

  return (
    <Stack className="overview">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <PageTitle>Overview</PageTitle>
        <Text size="sm" c="gray.7" className="overview-scope">
          {stats.data ? (
            <>
              {stats.data.scope === 'all' ? 'Every task' : 'Your tasks (admins see every task)'} · updated at{' '}
              <time dateTime={stats.data.generatedAt} title={stats.data.generatedAt}>
                {clockTime(stats.data.generatedAt)}
              </time>{' '}
              · refreshes every 10 s
            </>
          ) : (
            ' '
          )}
        </Text>
      </Group>

      {stats.isPending ? (
        <div aria-busy aria-label="Loading the overview" role="status">
          <Stack>
            <FiguresSkeleton />
            <Skeleton className="overview-window-row" />
            <ChartsSkeleton />
          </Stack>
        </div>
      ) : stats.isError && !stats.data ? (
        <ErrorState title="Could not load the overview" error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <>
          {stats.isError && (
            <ErrorState
              title="Could not refresh: showing the last figures"
              error={stats.error}
              onRetry={() => void stats.refetch()}
            />
          )}
          <Dashboard stats={stats.data} window={window} />
        </>
      )}
    </Stack>
  );
}
