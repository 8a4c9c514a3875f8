import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { AgentEntity } from '../src/agents/entities/agent.entity';
import { liveRowsOfCreator } from '../src/common/per-user-limit';
import { InboundHookEntity } from '../src/hooks/entities/inbound-hook.entity';
import { ScheduleEntity } from '../src/schedules/entities/schedule.entity';
import { WebhookEndpointEntity } from '../src/webhooks/entities/webhook-endpoint.entity';
import { WorkflowEntity } from '../src/workflows/entities/workflow.entity';
import { createAgent } from './factories/tasks';
import { bearer, createUser, type TestUser } from './factories/users';
import { indexesOf } from './utils/query-plan';
import { createTestApp, type TestApp } from './utils/test-app';

/** Each limit in this app: small, so that the tests reach it. */
const LIMIT = 2;

/** What a user may have a limited number of: how one is made, listed and deleted, and its table. */
interface Kind {
  setting: string;
  noun: string;
  path: string;
  table: string;
  body(n: number, calc: string): Record<string, unknown>;
  /** Deleted rows kept in the table (an agent or a workflow is marked deleted, not removed). */
  live: string;
}

const KINDS: Kind[] = [
  {
    setting: 'AGENTS_PER_USER',
    noun: 'agents',
    path: '/api/v1/agents',
    table: 'agents',
    body: (n) => ({ name: `limited-${n}-${Math.random().toString(36).slice(2)}`, type: 'calculator' }),
    live: 'deleted_at IS NULL',
  },
  {
    setting: 'WORKFLOWS_PER_USER',
    noun: 'workflows',
    path: '/api/v1/workflows',
    table: 'workflows',
    body: (n, calc) => ({ name: `flow ${n}`, steps: [{ id: 'one', agentId: calc, input: { expression: '1' } }] }),
    live: 'deleted_at IS NULL',
  },
  {
    setting: 'WEBHOOKS_PER_USER',
    noun: 'webhook endpoints',
    path: '/api/v1/webhooks',
    table: 'webhook_endpoints',
    body: (n) => ({ url: `http://127.0.0.1:9/hook-${n}`, events: ['task.succeeded'] }),
    live: 'true',
  },
  {
    setting: 'HOOKS_PER_USER',
    noun: 'inbound hooks',
    path: '/api/v1/hooks',
    table: 'inbound_hooks',
    body: (n, calc) => ({ name: `hook ${n}`, target: { agentId: calc }, auth: 'hmac' }),
    live: 'true',
  },
];

describe('what one user may have: agents, workflows, webhook endpoints and inbound hooks, each up to its setting', () => {
  let t: TestApp;

  beforeAll(async () => {
    const env = Object.fromEntries(KINDS.map((k) => [k.setting, String(LIMIT)]));
    t = await createTestApp({ env: { ...env, AGENT_ALLOW_PRIVATE_NETWORKS: 'true' } });
  });
  afterAll(() => t?.close());

  /** An operator of their own, with the calculator agent the other kinds target (one agent of their limit). */
  const operator = async (): Promise<{ user: TestUser; calc: string }> => {
    const user = await createUser(t, 'operator');
    return { user, calc: (await createAgent(t, user, { type: 'calculator' })).id };
  };
  const make = (kind: Kind, user: TestUser, n: number, calc: string) =>
    request(t.http)
      .post(kind.path)
      .set(...bearer(user))
      .send(kind.body(n, calc));
  const count = async (kind: Kind, user: TestUser) =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM ${kind.table} WHERE created_by = $1 AND ${kind.live}`, [
        user.id,
      ])
    )[0].n as number;
  const refusal = (kind: Kind) =>
    `You have ${LIMIT} ${kind.noun}, the most a user may is ${LIMIT} (${kind.setting}): delete one first`;

  it.each(KINDS.map((k) => [k.noun, k]))(
    'refuses one of the %s past its setting with 409, nothing stored; another user is not held; a deletion makes room',
    async (_, kind) => {
      const { user, calc } = await operator();
      const ids: string[] = kind.table === 'agents' ? [calc] : [];
      while (ids.length < LIMIT) ids.push((await make(kind, user, ids.length, calc).expect(201)).body.data.id);
      const refused = await make(kind, user, 99, calc).expect(409);
      expect(refused.body.error).toEqual({ code: 'CONFLICT', message: refusal(kind) });
      expect(await count(kind, user)).toBe(LIMIT);
      const audited = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM (SELECT actor_id, action, outcome FROM audit_logs
           UNION ALL SELECT actor_id, action, outcome FROM audit_pending) AS a
         WHERE actor_id = $1 AND action LIKE '%.create' AND outcome = 'success'`,
        [user.id],
      );
      // The other kinds' calculator agent, then this kind's: no entry for the refused one.
      expect(audited[0].n).toBe(kind.table === 'agents' ? LIMIT : LIMIT + 1);

      const other = await operator();
      await make(kind, other.user, 0, other.calc).expect(201);

      const gone = ids[ids.length - 1];
      await request(t.http)
        .delete(`${kind.path}/${gone}`)
        .set(...bearer(user))
        .expect(204);
      await make(kind, user, 100, calc).expect(201);
      await make(kind, user, 101, calc).expect(409);
    },
  );

  it('counts what a user’s API keys make as the user’s', async () => {
    const { user } = await operator();
    const key = (
      await request(t.http)
        .post('/api/v1/api-keys')
        .set(...bearer(user))
        .send({ name: 'maker', scopes: ['agents:write'] })
        .expect(201)
    ).body.data.key as string;
    const agents = KINDS[0];
    await request(t.http).post(agents.path).set('X-API-Key', key).send(agents.body(1, '')).expect(201);
    const refused = await request(t.http).post(agents.path).set('X-API-Key', key).send(agents.body(2, '')).expect(409);
    expect(refused.body.error.message).toBe(refusal(agents));
  });

  it('lets creations at the same moment pass the limit by none of them', async () => {
    const { user, calc } = await operator();
    const workflows = KINDS[1];
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => make(workflows, user, i, calc)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    expect(await count(workflows, user)).toBe(LIMIT);
  });

  describe('the count, read from an index (beside 5,000 agents of no user)', () => {
    const tables: [string, EntityTarget<ObjectLiteral>, string][] = [
      ['agents', AgentEntity, 'agents_creator_idx'],
      ['workflows', WorkflowEntity, 'workflows_creator_idx'],
      ['webhook endpoints', WebhookEndpointEntity, 'webhook_endpoints_creator_created_idx'],
      ['inbound hooks', InboundHookEntity, 'inbound_hooks_creator_created_idx'],
      ['schedules', ScheduleEntity, 'schedules_creator_created_idx'],
    ];

    beforeAll(async () => {
      // On a table of a few rows every index reads one page, and the planner has no reason to prefer one.
      await t.dataSource.query(
        `INSERT INTO agents (name, type) SELECT 'seeded-' || g, 'calculator' FROM generate_series(1, 5000) AS g`,
      );
      for (const [, entity] of tables)
        await t.dataSource.query(`ANALYZE "${t.dataSource.getMetadata(entity).tableName}"`);
    });

    it.each(tables)('counts a user’s %s through an index on their creator', async (_, entity, index) => {
      const plan = await t.dataSource.transaction(async (em) => {
        // Any plan but reading every row: the one left is the index's, if the count can use one.
        await em.query('SET LOCAL enable_seqscan = off');
        const [row] = await em.query(`EXPLAIN (FORMAT JSON) ${liveRowsOfCreator(em, entity)}`, [randomUUID()]);
        return (row as { 'QUERY PLAN': unknown })['QUERY PLAN'];
      });
      expect(indexesOf(plan)).toEqual([index]);
    });
  });
});
