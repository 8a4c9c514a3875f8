import { expect, test } from '@playwright/test';
import { LoopbackServer, streamChat } from '../../test/utils/loopback-server';
import { apiAs, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

/**
 * An OpenAI-compatible chat server on 127.0.0.1 (the test server allows private addresses) that streams a
 * word every 150 ms until the test lets it finish, then "THE END".
 */
function streamingModel() {
  const server = new LoopbackServer();
  const pieces = Array.from({ length: 600 }, (_, i) => `word${i} `);
  let sent = 0;
  server.handler = (_req, res) => streamChat(res, pieces, { delayMs: 150, onChunk: () => (sent += 1) });
  return {
    start: () => server.start(),
    stop: () => server.stop(),
    // The words not yet sent give way to the last one (streamChat reads the list as it goes).
    finish: () => pieces.splice(sent, pieces.length, 'THE END'),
  };
}

test('an llm task’s answer appears as it streams, then its whole output', async ({ page, request }) => {
  const csp = watchCsp(page);
  const model = streamingModel();
  const baseUrl = await model.start();
  const admin = await apiAs(request);
  const agent = await admin.createAgent(`llm-stream-${Date.now()}`, 'llm', { baseUrl: `${baseUrl}/v1`, model: 'tiny' });
  try {
    const task = await admin.createTask(agent.id, { prompt: 'Tell a story' });

    await signIn(page);
    await page.goto(`/tasks/${task.id}`);
    const status = page.getByRole('group', { name: 'Task status' });
    await expect(status).toContainText('running');
    // Words keep coming while the task runs: the page shows them however late it subscribed.
    const stream = page.getByRole('region', { name: 'Output so far' });
    await expect(stream).toContainText(/word\d+ word\d+ /);
    await expect(stream.getByRole('status')).toHaveText(/Receiving the output of attempt 1/);
    const before = (await stream.locator('pre').textContent()) ?? '';
    await expect
      .poll(async () => ((await stream.locator('pre').textContent()) ?? '').length)
      .toBeGreaterThan(before.length);
    await expect(page.getByRole('region', { name: 'Output', exact: true })).toHaveCount(0);
    await expectAccessible(page);

    model.finish();
    await expect(status).toContainText('succeeded');
    const output = page.getByRole('region', { name: 'Output', exact: true });
    await expect(output).toContainText('THE END');
    await expect(output).toContainText('"finishReason": "stop"');
    await expect(stream).toHaveCount(0);
    expect(csp).toEqual([]);
  } finally {
    await model.stop();
    await admin.deleteAgent(agent.id).catch(() => undefined);
  }
});
