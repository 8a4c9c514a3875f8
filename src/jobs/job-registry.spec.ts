import type { AppConfig } from '../config/app-config';
import { JobDeclarationError, JobRegistry } from './job-registry';
import type { PeriodicJobDeclaration } from './periodic-job';
import { maintenanceQueue } from './queues';

const config = { queue: { reconcileIntervalMs: 30_000 } } as AppConfig;
const handler = { run: async () => undefined };
const job = (declaration: Partial<PeriodicJobDeclaration>) => ({
  declaration: { name: 'a', everyMs: 1000, roles: ['worker'], ...declaration } as PeriodicJobDeclaration,
  handler,
});

describe('JobRegistry', () => {
  it('resolves a period read from the configuration', () => {
    const registry = new JobRegistry([job({ everyMs: (c) => c.queue.reconcileIntervalMs })], config);
    expect(registry.get('a')).toEqual({
      name: 'a',
      everyMs: 30_000,
      roles: ['worker'],
      queue: 'maintenance-worker',
      handler,
    });
  });

  it('gives each role the jobs that list it', () => {
    const registry = new JobRegistry(
      [job({ name: 'w', roles: ['worker', 'all'] }), job({ name: 'api', roles: ['api', 'all'] })],
      config,
    );
    expect(registry.forRole('worker').map((j) => j.name)).toEqual(['w']);
    expect(registry.forRole('api').map((j) => j.name)).toEqual(['api']);
    expect(registry.forRole('all').map((j) => j.name)).toEqual(['w', 'api']);
    expect(registry.get('missing')).toBeUndefined();
  });

  it('puts the jobs of the worker roles in the maintenance queue, others in a queue of their roles', () => {
    expect(maintenanceQueue(['worker', 'all'])).toBe('maintenance');
    expect(maintenanceQueue(['all', 'worker', 'worker'])).toBe('maintenance');
    expect(maintenanceQueue(['api', 'all'])).toBe('maintenance-all-api');
    expect(maintenanceQueue(['all', 'api'])).toBe('maintenance-all-api');
  });

  it.each([
    ['two jobs of one name', [job({}), job({})], /two periodic jobs are named a/],
    ['no name', [job({ name: '' })], /no name/],
    ['a zero period', [job({ everyMs: 0 })], /positive integer/],
    ['a fractional period', [job({ everyMs: 1.5 })], /positive integer/],
    ['a period the configuration lacks', [job({ everyMs: () => Number.NaN })], /positive integer/],
    ['no role', [job({ roles: [] })], /no role runs it/],
    ['no run()', [{ ...job({}), handler: {} as typeof handler }], /no run\(\) method/],
  ])('refuses %s', (_case, declarations, message) => {
    expect(() => new JobRegistry(declarations, config)).toThrow(JobDeclarationError);
    expect(() => new JobRegistry(declarations, config)).toThrow(message);
  });
});
