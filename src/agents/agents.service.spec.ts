import { randomBytes } from 'node:crypto';
import { FakeAgentStore, FakeSavedStates } from '../../test/fakes/agents';
import { FakeCaches } from '../../test/fakes/caches';
import { TableResolver } from '../../test/fakes/host-resolver';
import { principal } from '../../test/fakes/principals';
import type { AuditRequestContext } from '../audit/audit-context';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { ValidationFailedError } from '../common/errors/app.error';
import { SchemaValidator } from '../common/schema/schema-validator';
import { loadConfig } from '../config/app-config';
import { AgentSecrets, SECRET_MASK } from './agent-secrets';
import { AgentTypeRegistry } from './agent-type.registry';
import {
  AgentChangeForbiddenError,
  AgentNameTakenError,
  AgentNotFoundError,
  ConfigVersionNotFoundError,
} from './agents.errors';
import { AgentsService } from './agents.service';
import { NetworkGuard } from './outbound/network-guard';
import { AGENT_TYPE_CLASSES } from './types';

const cipher = new SecretsCipher(loadConfig({ SECRETS_KEY: randomBytes(32).toString('hex') }));
const types = new AgentTypeRegistry(AGENT_TYPE_CLASSES.map((Type) => new Type(undefined as never, undefined as never)));

function setup() {
  const store = new FakeAgentStore();
  const caches = new FakeCaches();
  const states = new FakeSavedStates();
  const guard = new NetworkGuard(loadConfig({}), new TableResolver({ 'internal.example': ['10.1.2.3'] }));
  const service = new AgentsService(
    store,
    types,
    new SchemaValidator(),
    new AgentSecrets(cipher),
    states,
    caches,
    guard,
  );
  return { store, caches, states, service };
}

const alice = principal('alice');
const bob = principal('bob');
const admin = principal('root', 'admin');
const SIGNING = 's'.repeat(16);
const remote = (name = 'remote', url = 'https://a.example/run') => ({
  name,
  type: 'http',
  config: { url, signingSecret: SIGNING, headers: { Authorization: 'Bearer t0ken' } },
});
const context = (requestId: string): AuditRequestContext => ({
  ip: '10.0.0.1',
  userAgent: 'spec',
  requestId,
  recorded: false,
});

describe('AgentsService', () => {
  it('refuses a config that does not match its type’s schema, naming each field by its JSON pointer', async () => {
    const { service, store } = setup();
    const refused = service.create(alice, {
      name: 'bad',
      type: 'http',
      config: { url: 'ftp://a.example/', timeoutMs: 5, extra: true },
    });
    await expect(refused).rejects.toThrow(ValidationFailedError);
    const fields = ((await refused.catch((err: ValidationFailedError) => err)) as ValidationFailedError).details?.map(
      (d) => d.field,
    );
    expect(fields).toEqual(expect.arrayContaining(['/config/url', '/config/timeoutMs']));
    expect(store.agents.size).toBe(0);
    expect(store.audit).toEqual([]);
  });

  it('stores version 1 with the type’s defaults, the creator and its audit entry', async () => {
    const { service, store } = setup();
    const agent = await service.create(alice, { name: 'calc', type: 'calculator' });
    expect(agent).toMatchObject({ configVersion: 1, config: { precision: 10 }, concurrency: 1, createdBy: 'alice' });
    expect(store.configVersions).toEqual([
      expect.objectContaining({ agentId: agent.id, version: 1, source: 'create' }),
    ]);
    expect(store.audit[0].event).toMatchObject({ action: 'agent.create', resourceId: agent.id });
  });

  it('keeps secrets sealed at rest and masked in what it shows, and gives them in plain only to a run', async () => {
    const { service, store } = setup();
    const agent = await service.create(alice, remote());
    const stored = JSON.stringify([...store.agents.values(), store.configVersions]);
    expect(stored).not.toMatch(/sssss|t0ken/);
    expect(JSON.stringify(agent)).not.toMatch(/sssss|t0ken/);
    expect(service.masked(agent, agent.config)).toEqual({
      url: 'https://a.example/run',
      method: 'POST',
      timeoutMs: 30_000,
      signingSecret: SECRET_MASK,
      headers: { Authorization: SECRET_MASK },
    });
    expect(JSON.stringify(store.audit)).not.toMatch(/sssss|t0ken/);
    expect(store.audit[0].event.details?.config).toMatchObject({ signingSecret: SECRET_MASK });
    expect(service.runtimeOf(await service.forTask(agent.id)).config).toMatchObject({
      signingSecret: SIGNING,
      headers: { Authorization: 'Bearer t0ken' },
    });
  });

  it('makes each new config the next version and keeps every earlier one; masked secrets keep their value', async () => {
    const { service, store } = setup();
    const { id } = await service.create(alice, remote());
    const updated = await service.setConfig(alice, id, {
      url: 'https://a.example/run',
      timeoutMs: 1000,
      signingSecret: SECRET_MASK,
      headers: { Authorization: SECRET_MASK },
    });
    expect(updated.configVersion).toBe(2);
    expect(service.runtimeOf(updated).config).toMatchObject({ timeoutMs: 1000, signingSecret: SIGNING });
    const history = await service.versions(id, 0, 10);
    expect(history.items.map((v) => [v.version, v.source])).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(history.total).toBe(2);
    expect(store.audit.at(-1)?.event).toMatchObject({ action: 'agent.config_update', details: { version: 2 } });
  });

  it('refuses a target the network guard refuses, on create and on a config change, naming the field', async () => {
    const { service, store } = setup();
    const detailsOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (err: ValidationFailedError) => err.details,
      );
    await expect(detailsOf(service.create(alice, remote('private', 'http://internal.example/run')))).resolves.toEqual([
      { field: '/config/url', message: expect.stringContaining('internal.example resolves to a private') },
    ]);
    const llm = { name: 'llm', type: 'llm', config: { baseUrl: 'http://[::1]:11434/v1', model: 'm' } };
    await expect(detailsOf(service.create(alice, llm))).resolves.toEqual([
      { field: '/config/baseUrl', message: expect.stringContaining('::1 is a private, loopback') },
    ]);
    expect(store.agents.size).toBe(0);
    const { id } = await service.create(alice, remote());
    await expect(detailsOf(service.setConfig(alice, id, { url: 'http://localhost/run' }))).resolves.toEqual([
      { field: '/config/url', message: expect.stringContaining('loopback') },
    ]);
    expect((await service.get(id)).configVersion).toBe(1);
  });

  it('rolls back as a new version equal to the earlier one; an unknown version changes nothing', async () => {
    const { service, store } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator', config: { precision: 2 } });
    await service.setConfig(alice, id, { precision: 5 });
    const rolledBack = await service.rollback(alice, id, 1);
    expect(rolledBack).toMatchObject({ configVersion: 3, config: { precision: 2 } });
    expect(store.configVersions.at(-1)).toMatchObject({ version: 3, source: 'rollback', rolledBackFrom: 1 });
    expect(store.audit.at(-1)?.event).toMatchObject({
      action: 'agent.config_rollback',
      details: { rolledBackFrom: 1 },
    });

    await expect(service.rollback(alice, id, 9)).rejects.toThrow(ConfigVersionNotFoundError);
    expect((await service.get(id)).configVersion).toBe(3);
    expect(store.configVersions).toHaveLength(3);
  });

  it('audits a change of status as a pause or a resume, anything else as an update with what it was', async () => {
    const { service, store } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' });
    expect(await service.update(alice, id, { status: 'paused' })).toMatchObject({ status: 'paused' });
    await service.update(alice, id, { status: 'active' });
    await service.update(alice, id, { concurrency: 3, description: undefined });
    expect(store.audit.slice(1).map((a) => a.event.action)).toEqual(['agent.pause', 'agent.resume', 'agent.update']);
    expect(store.audit.at(-1)?.event.details).toEqual({
      before: { name: 'calc', status: 'active', concurrency: 1, concurrencyPerKey: null, timeoutMs: 60_000 },
      changes: { concurrency: 3, description: undefined },
    });
    expect(await service.get(id)).toMatchObject({ status: 'active', concurrency: 3, description: null });
  });

  it('deletes softly: the row and its history stay, but nothing finds the agent any more, cached or not', async () => {
    const { service, store, caches } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' });
    await service.forTask(id);
    await service.forTask(id);
    expect(caches.loads).toBe(1);
    await service.remove(alice, id);
    expect(caches.invalidated).toEqual([`agent:${id}`]);
    await expect(service.forTask(id)).rejects.toThrow(AgentNotFoundError);
    await expect(service.get(id)).rejects.toThrow(AgentNotFoundError);
    await expect(service.exists(id)).resolves.toBe(false);
    await expect(service.isDeleted(id)).resolves.toBe(true);
    expect((await service.list({ skip: 0, limit: 10 })).total).toBe(0);
    expect(store.agents.get(id)?.deletedAt).toBeInstanceOf(Date);
    expect(store.configVersions).toHaveLength(1);
    await expect(service.remove(alice, id)).rejects.toThrow(AgentNotFoundError);
    await expect(service.update(alice, id, { concurrency: 2 })).rejects.toThrow(AgentNotFoundError);
  });

  it('drops the cached agent on every change, so the next task sees it', async () => {
    const { service } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' });
    expect((await service.forTask(id)).status).toBe('active');
    await service.update(alice, id, { status: 'paused' });
    expect((await service.forTask(id)).status).toBe('paused');
    await service.setConfig(alice, id, { precision: 3 });
    expect((await service.forTask(id)).config).toEqual({ precision: 3 });
  });

  it('refuses a name another live agent has, and frees it when that agent is deleted', async () => {
    const { service } = setup();
    const first = await service.create(alice, { name: 'calc', type: 'calculator' });
    const other = await service.create(alice, { name: 'other', type: 'calculator' });
    await expect(service.create(alice, { name: 'calc', type: 'calculator' })).rejects.toThrow(AgentNameTakenError);
    await expect(service.update(alice, other.id, { name: 'calc' })).rejects.toThrow(AgentNameTakenError);
    expect((await service.get(other.id)).name).toBe('other');
    await service.remove(alice, first.id);
    await expect(service.update(alice, other.id, { name: 'calc' })).resolves.toMatchObject({ name: 'calc' });
  });

  it('writes every change’s audit entry with the request context it was given', async () => {
    const { service, store } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' }, context('create'));
    await service.update(alice, id, { status: 'paused' }, context('pause'));
    await service.setConfig(alice, id, { precision: 3 }, context('config'));
    await service.rollback(alice, id, 1, context('rollback'));
    await service.remove(alice, id, context('delete'));
    expect(store.audit.map((a) => [a.event.action, a.context?.requestId])).toEqual([
      ['agent.create', 'create'],
      ['agent.pause', 'pause'],
      ['agent.config_update', 'config'],
      ['agent.config_rollback', 'rollback'],
      ['agent.delete', 'delete'],
    ]);
  });

  it('lets only its creator or an admin change or delete an agent; a refusal writes nothing', async () => {
    const { service, store, caches } = setup();
    const { id } = await service.create(alice, remote());
    const before = { agent: structuredClone(store.agents.get(id)), versions: store.configVersions.length };
    const audited = store.audit.length;
    const attempts = [
      () => service.update(bob, id, { status: 'paused', name: 'mine' }),
      () => service.setConfig(bob, id, { url: 'https://bob.example/steal' }),
      () => service.rollback(bob, id, 1),
      () => service.remove(bob, id),
      () => service.update({ ...alice, userId: 'bob', type: 'apiKey', apiKeyId: 'k' }, id, { concurrency: 2 }),
      () => service.update({ ...admin, type: 'apiKey', apiKeyId: 'k' }, id, { concurrency: 2 }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toThrow(AgentChangeForbiddenError);
    expect(store.agents.get(id)).toEqual(before.agent);
    expect(store.configVersions).toHaveLength(before.versions);
    expect(store.audit).toHaveLength(audited);
    expect(caches.invalidated).toEqual([]);

    await expect(
      service.update({ ...alice, type: 'apiKey', apiKeyId: 'k' }, id, { concurrency: 2 }),
    ).resolves.toMatchObject({
      concurrency: 2,
    });
    await expect(service.update(admin, id, { status: 'paused' })).resolves.toMatchObject({ status: 'paused' });
    await expect(service.rollback(admin, id, 1)).resolves.toMatchObject({ configVersion: 2 });
    await service.remove(admin, id);
    await expect(service.exists(id)).resolves.toBe(false);
  });

  it('leaves an agent without a recorded creator to the admins', async () => {
    const { service, store } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' });
    store.agents.get(id)!.createdBy = null;
    await expect(service.update(alice, id, { concurrency: 2 })).rejects.toThrow(AgentChangeForbiddenError);
    await expect(service.setConfig(admin, id, { precision: 3 })).resolves.toMatchObject({ configVersion: 2 });
  });

  it('shows the agent’s last saved state document, or none', async () => {
    const { service, states } = setup();
    const { id } = await service.create(alice, { name: 'calc', type: 'calculator' });
    await expect(service.checkpoint(id)).resolves.toEqual({ state: null, savedAt: null });
    const savedAt = new Date();
    states.documents.set(id, { state: { n: 1 }, savedAt });
    await expect(service.checkpoint(id)).resolves.toEqual({ state: { n: 1 }, savedAt });
    await expect(service.checkpoint('missing')).rejects.toThrow(AgentNotFoundError);
  });
});
