import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { apiAs, expectAccessible, signIn, watchCsp } from './helpers';

test.use({ baseURL: process.env.CONSOLE_URL });

/**
 * An OpenAI-compatible chat server on 127.0.0.1 (the test server allows private addresses) that streams a
 * word every 150 ms until the test lets it finish, then "THE END".
 */
function streamingModel() {
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const open: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      open.push(res);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      const send = (data: unknown) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'tiny-2024',
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      });
      let done = false;
      void finished.then(() => (done = true));
      send(chunk({ role: 'assistant' }));
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (!done && i < 600) {
          send(chunk({ content: `word${i} ` }));
          i += 1;
          setTimeout(next, 150);
          return;
        }
        send(chunk({ content: 'THE END' }));
        send(chunk({}, 'stop'));
        send({ choices: [], usage: { prompt_tokens: 3, completion_tokens: i + 1, total_tokens: i + 4 } });
        send('[DONE]');
        res.end();
      };
      next();
    });
  });
  return {
    finish: () => finish(),
    start: async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: async () => {
      for (const res of open) res.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
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
