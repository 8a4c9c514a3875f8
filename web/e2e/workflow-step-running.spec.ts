import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Page, expect, test } from '@playwright/test';
import { apiAs, deleteAfterAll, expectAccessible, signIn, unique, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

const made = deleteAfterAll();

const node = (page: Page, step: string) => page.getByRole('group', { name: new RegExp(`^Step ${step},`) });

/** The `run.updated` payloads among Socket.IO frames (`42/events,["run.updated",{…}]`). */
function runUpdates(frames: string[]): { steps: { id: string; status: string }[] }[] {
  return frames.flatMap((frame) => {
    const start = frame.indexOf('[');
    if (start < 0) return [];
    try {
      const [name, payload] = JSON.parse(frame.slice(start)) as [string, { steps: { id: string; status: string }[] }];
      return name === 'run.updated' ? [payload] : [];
    } catch {
      return [];
    }
  });
}

test('a run’s page shows a step running from its task’s start, live', async ({ page, request }) => {
  const csp = watchCsp(page);
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));
  // The step's remote end answers only when told: until then its task runs.
  const held: ServerResponse[] = [];
  const remote = createServer((req, res) => {
    req.resume();
    req.on('end', () => held.push(res));
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/fetch`;
    const stamp = unique();
    const api = await apiAs(request);
    const agent = await api.createAgent(`wf-held-${stamp}`, 'http', { url });
    made.agents.push(agent.id);
    // Paused, its task waits queued while the page opens.
    await api.setAgentStatus(agent.id, 'paused');
    const workflow = await api.call<{ id: string }>(
      'post',
      '/api/v1/workflows',
      { name: `Held ${stamp}`, steps: [{ id: 'fetch', agentId: agent.id, input: { n: 1 } }] },
      201,
    );
    made.workflows.push(workflow.id);
    const run = await api.call<{ id: string }>('post', `/api/v1/workflows/${workflow.id}/runs`, { input: {} }, 202);

    await signIn(page);
    await page.goto(`/workflows/${workflow.id}/runs/${run.id}`);
    await expect(node(page, 'fetch')).toContainText('queued');

    await api.setAgentStatus(agent.id, 'active');
    await expect.poll(() => held.length).toBe(1);
    await expect(node(page, 'fetch')).toContainText('running');
    await expect(node(page, 'fetch').locator('.wf-node')).toHaveAttribute('data-status', 'running');
    // Told by the run's own event, while the task still runs.
    expect(runUpdates(frames).some((e) => e.steps.some((s) => s.id === 'fetch' && s.status === 'running'))).toBe(true);
    await expectAccessible(page);

    held[0].writeHead(200, { 'content-type': 'application/json' }).end('{"done":true}');
    await expect(node(page, 'fetch')).toContainText('succeeded');
    await expect(page.getByRole('group', { name: 'Run status' })).toContainText('succeeded');
    expect(csp).toEqual([]);
  } finally {
    for (const res of held) if (!res.writableEnded) res.end('{}');
    remote.closeAllConnections();
    await new Promise<void>((resolve) => remote.close(() => resolve()));
  }
});
