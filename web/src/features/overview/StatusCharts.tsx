import { Text, Title } from '@mantine/core';
import { type ReactNode, useId, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import {
  CHART_HEIGHT,
  STATUS_COLOURS,
  type StatsWindow,
  type StatusBucket,
  bucketsSummary,
  bucketsToRows,
  failureRateRows,
  failureRateSummary,
  formatCount,
  formatPercent,
} from './overview-data';
import { STATUSES } from '../tasks/task-status';

const AXIS_TICK = { fill: '#495057', fontSize: 12 };
/** Tooltip words in the text colour: the series colours are too light for text (the word names the status). */
const TOOLTIP_ITEM = { color: '#212529', padding: 0 };
const UNIT: Record<StatsWindow, { one: string; title: string; span: string }> = {
  hour: { one: 'Minute', title: 'per minute', span: 'last hour' },
  day: { one: 'Hour', title: 'per hour', span: 'last 24 hours' },
};

/** The statuses in their usual order, each a swatch of its colour and its word (HTML, lighter than Recharts' legend). */
function StatusLegend() {
  return (
    <ul className="overview-legend" aria-label="Legend">
      {STATUSES.map((status) => (
        <li key={status}>
          <span className="overview-swatch" style={{ background: STATUS_COLOURS[status] }} />
          {status}
        </li>
      ))}
    </ul>
  );
}

function ChartPanel({
  title,
  summary,
  children,
}: {
  title: string;
  summary: string;
  children: (ids: { title: string; summary: string }) => ReactNode;
}) {
  const titleId = useId();
  const summaryId = useId();
  return (
    <section className="overview-panel" aria-labelledby={titleId}>
      <Title order={2} size="h4" id={titleId} className="overview-panel-title">
        {title}
      </Title>
      <Text size="sm" c="gray.7" id={summaryId} className="overview-chart-summary">
        {summary}
      </Text>
      {children({ title: titleId, summary: summaryId })}
    </section>
  );
}

/** Tasks created per minute (hour) by current status, stacked, with the same numbers as a table for screen readers. */
function TasksByStatus({ buckets, window }: { buckets: StatusBucket[]; window: StatsWindow }) {
  const rows = useMemo(() => bucketsToRows(buckets, window), [buckets, window]);
  const unit = UNIT[window];
  const title = `Tasks created ${unit.title}, ${unit.span}, by status`;
  const withTasks = rows.filter((r) => r.total > 0);
  return (
    <ChartPanel title={title} summary={bucketsSummary(buckets, window)}>
      {(ids) => (
        <>
          <figure className="overview-chart" aria-labelledby={ids.title} aria-describedby={ids.summary}>
            <BarChart
              data={rows}
              responsive
              style={{ width: '100%', height: CHART_HEIGHT }}
              accessibilityLayer
              title={title}
              desc={bucketsSummary(buckets, window)}
              margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
              barCategoryGap={1}
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={24} interval="preserveStartEnd" />
              <YAxis allowDecimals={false} width={40} tick={AXIS_TICK} />
              <Tooltip formatter={(value) => formatCount(Number(value))} itemStyle={TOOLTIP_ITEM} />
              {STATUSES.map((status) => (
                <Bar
                  key={status}
                  dataKey={status}
                  name={status}
                  stackId="tasks"
                  fill={STATUS_COLOURS[status]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
            <StatusLegend />
          </figure>
          <div className="overview-sr-only">
            <table>
              <caption>
                {title}
                {withTasks.length < rows.length ? ` (${unit.one.toLowerCase()}s without tasks left out)` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{unit.one}</th>
                  {STATUSES.map((s) => (
                    <th key={s} scope="col">
                      {s}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {withTasks.map((row) => (
                  <tr key={row.start}>
                    <th scope="row">{row.label}</th>
                    {STATUSES.map((s) => (
                      <td key={s}>{formatCount(row[s])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ChartPanel>
  );
}

/** The share of failures among the tasks created in each minute (hour) that have finished either way. */
function FailureRate({ buckets, window }: { buckets: StatusBucket[]; window: StatsWindow }) {
  const rows = useMemo(() => failureRateRows(buckets, window), [buckets, window]);
  const unit = UNIT[window];
  const title = `Failure rate ${unit.title}, ${unit.span}`;
  const summary = failureRateSummary(rows, window);
  const decided = rows.filter((r) => r.rate !== null);
  return (
    <ChartPanel title={title} summary={summary}>
      {(ids) => (
        <>
          <figure className="overview-chart" aria-labelledby={ids.title} aria-describedby={ids.summary}>
            <LineChart
              data={rows}
              responsive
              style={{ width: '100%', height: CHART_HEIGHT }}
              accessibilityLayer
              title={title}
              desc={summary}
              margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={AXIS_TICK} minTickGap={24} interval="preserveStartEnd" />
              <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} unit="%" width={48} tick={AXIS_TICK} />
              <Tooltip formatter={(value) => formatPercent(Number(value) / 100)} itemStyle={TOOLTIP_ITEM} />
              <Line
                type="linear"
                dataKey="rate"
                name="failure rate"
                stroke={STATUS_COLOURS.failed}
                strokeWidth={2}
                dot={{ r: 3, fill: STATUS_COLOURS.failed }}
                connectNulls={false}
                isAnimationActive={false}
              />
            </LineChart>
          </figure>
          <div className="overview-sr-only">
            <table>
              <caption>{`${title} (${unit.one.toLowerCase()}s without finished tasks left out)`}</caption>
              <thead>
                <tr>
                  <th scope="col">{unit.one}</th>
                  <th scope="col">Failure rate</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {decided.map((row) => (
                  <tr key={row.start}>
                    <th scope="row">{row.label}</th>
                    <td>{formatPercent((row.rate ?? 0) / 100)}</td>
                    <td>{formatCount(row.failed)}</td>
                    <td>{formatCount(row.decided)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ChartPanel>
  );
}

/** Both charts of the window (a chunk of its own: Recharts loads after the figures show). */
export default function StatusCharts({ buckets, window }: { buckets: StatusBucket[]; window: StatsWindow }) {
  return (
    <div className="overview-charts">
      <TasksByStatus buckets={buckets} window={window} />
      <FailureRate buckets={buckets} window={window} />
    </div>
  );
}
