import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type Locator, type Page, expect, test } from '@playwright/test';
import type { TOTP } from 'otpauth';
import { ADMIN } from './global-setup';

/** Every CSP refusal the browser reports: the console must run under its CSP without one. */
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

export async function expectAccessible(page: Page): Promise<void> {
  // A dialog still fading in has its text at part opacity: check what the user sees once transitions have
  // settled (endless animations, such as a loading skeleton's pulse, and those driven by scrolling rather than
  // time, such as a table's scroll hint, are not waited for).
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every(
        (a) =>
          a.playState !== 'running' ||
          !(a.timeline instanceof DocumentTimeline) ||
          a.effect?.getComputedTiming().endTime === Infinity,
      ),
  );
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/**
 * The page's landmarks are each there once (checked apart from {@link expectAccessible}, which fails on serious
 * violations only): a dialog's title bar is no second banner beside the console's header.
 */
export async function expectUniqueLandmarks(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withRules(['landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo', 'landmark-no-duplicate-main'])
    .analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/**
 * A field that takes code (JSON, a cron pattern): what is typed in it is monospace, while its label and its help
 * text are in the page's own font. Returns the help text, to check what it says.
 */
export async function expectCodeField(page: Page, field: Locator): Promise<Locator> {
  const id = await field.getAttribute('id');
  const fontOf = (element: Locator) => element.evaluate((e) => getComputedStyle(e).fontFamily);
  const pageFont = await fontOf(page.locator('body'));
  expect(pageFont).not.toMatch(/monospace/);
  expect(await fontOf(field)).toMatch(/monospace/);
  expect(await fontOf(page.locator(`[id="${id}-label"]`))).toBe(pageFont);
  const help = page.locator(`[id="${id}-description"]`);
  expect(await fontOf(help)).toBe(pageFont);
  return help;
}

export async function signIn(page: Page, email = ADMIN.email, password = ADMIN.password): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
}

export async function apiToken(request: APIRequestContext, email: string, password: string): Promise<string> {
  const res = await request.post('/api/v1/auth/login', { data: { email, password } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
}

interface Created {
  id: string;
}

/** The API as a user (the admin by default): each call checks its status and returns the envelope's `data`. */
export async function apiAs(request: APIRequestContext, email = ADMIN.email, password = ADMIN.password) {
  const token = await apiToken(request, email, password);
  const headers = { Authorization: `Bearer ${token}` };
  const call = async <T>(
    method: 'get' | 'post' | 'patch' | 'delete',
    path: string,
    data: unknown,
    status: number,
  ): Promise<T> => {
    const res = await request[method](path, { headers, data });
    expect(res.status(), await res.text()).toBe(status);
    return status === 204 ? (undefined as T) : ((await res.json()) as { data: T }).data;
  };
  return {
    call,
    createAgent: (name: string, type: string, config: Record<string, unknown> = {}) =>
      call<Created>('post', '/api/v1/agents', { name, type, config }, 201),
    setAgentStatus: (id: string, status: 'active' | 'paused') =>
      call<Created>('patch', `/api/v1/agents/${id}`, { status }, 200),
    createTask: (agentId: string, input: unknown) => call<Created>('post', '/api/v1/tasks', { agentId, input }, 202),
    deleteAgent: (id: string) => call<void>('delete', `/api/v1/agents/${id}`, undefined, 204),
  };
}

/** A stamp for the names a test makes: unique across runs and tests, so they never meet another's. */
export const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/**
 * The opening of a test that needs an agent: a unique stamp, the API as a user (the admin by default) and a
 * calculator agent of theirs named `<prefix>-<stamp>`, deleted after the spec's tests.
 */
export async function apiWithAgent(
  request: APIRequestContext,
  made: Made,
  prefix: string,
  user: { email: string; password: string } = ADMIN,
) {
  const stamp = unique();
  const api = await apiAs(request, user.email, user.password);
  const agent = await api.createAgent(`${prefix}-${stamp}`, 'calculator');
  made.agents.push(agent.id);
  return { stamp, api, agent };
}

/** What a spec made, by kind, to delete after its tests (schedules and workflows before the agents they use). */
export interface Made {
  schedules: string[];
  workflows: string[];
  agents: string[];
}

/**
 * The browser tests share one database: what a spec makes goes after it, so other pages still start empty.
 * Returns the lists to push the ids onto.
 */
export function deleteAfterAll(): Made {
  const made: Made = { schedules: [], workflows: [], agents: [] };
  test.afterAll(async ({ request }) => {
    const token = await apiToken(request, ADMIN.email, ADMIN.password);
    const headers = { Authorization: `Bearer ${token}` };
    for (const kind of ['schedules', 'workflows', 'agents'] as const) {
      for (const id of made[kind]) await request.delete(`/api/v1/${kind}/${id}`, { headers });
    }
  });
  return made;
}

/**
 * The code of the step before the current one, once the current step has `marginMs` left. The server
 * takes a code one step off its clock, so this code still works when it arrives, and the current step's
 * code stays unspent for a sign-in after it. Asked for too near a step's end, the code would be two steps
 * behind by the time the server checks it.
 */
export async function previousStepCode(totp: TOTP, marginMs = 10_000): Promise<string> {
  const stepMs = totp.period * 1000;
  const left = stepMs - (Date.now() % stepMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
  return totp.generate({ timestamp: Date.now() - stepMs });
}
