/**
 * Boundaries of the server's source (`npm run lint:deps`, part of `npm run lint`):
 * - no import cycles;
 * - plumbing (`common/`, `config/`, `database/`, `jobs/`, `redis/`) imports no feature (the one exception: the list of
 *   every feature's entities the data source is built from);
 * - a feature uses another feature through the files at the top of its folder (module, services, types),
 *   never through its subfolders (entities, DTOs, implementation), but for an entity naming another feature's
 *   entity in a relation;
 * - nothing but the composition root (`app/`) and the CLI's entry imports the composition root;
 * - the tasks' entities are used, as values, only by their repository (`tasks/persistence/`): everything else
 *   speaks in tasks (`tasks/task.ts`) through it;
 * - likewise the agents' and their config versions' entities, by `agents/persistence/` (other entities may
 *   name them in relations; `agent_states` belongs to `agents/agent-state.store.ts`), and the refresh
 *   tokens' and MFA recovery codes' entities, by `auth/persistence/`;
 * - the files the console imports (`workflows/step-own-fields.ts`, `common/http/hidden-characters.ts`) import nothing.
 */
const PLUMBING = '^src/(common|config|database|jobs|redis)/';
const FEATURES = '^src/(?!(common|config|database|jobs|redis|app|cli)/)([^/]+)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order and DI fragile (type-only imports vanish at run time).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'plumbing-imports-no-feature',
      severity: 'error',
      comment: 'common/, config/, database/, jobs/ and redis/ are the floor features stand on.',
      from: { path: PLUMBING, pathNot: '^src/database/entities\\.ts$' },
      to: { path: FEATURES },
    },
    {
      name: 'no-feature-internals',
      severity: 'error',
      comment: "Another feature's subfolders are its internals: use what the top of its folder offers.",
      from: { path: '^src/([^/]+)/', pathNot: ['^src/(app|cli|database)/', '\\.spec\\.ts$', '\\.entity\\.ts$'] },
      to: { path: '^src/([^/]+)/[^/]+/', pathNot: ['^src/$1/', PLUMBING] },
    },
    {
      name: 'no-feature-internals-but-relations',
      severity: 'error',
      comment:
        "An entity may name another feature's entity in a relation (the foreign key it maps), and nothing else of it.",
      from: { path: '^src/([^/]+)/.+\\.entity\\.ts$' },
      to: { path: '^src/([^/]+)/[^/]+/', pathNot: ['^src/$1/', PLUMBING, '\\.entity\\.ts$'] },
    },
    {
      name: 'tasks-through-their-repository',
      severity: 'error',
      comment: 'The tasks and their attempts are read and written by tasks/persistence/ alone.',
      from: { path: '^src/', pathNot: ['^src/tasks/(persistence|entities)/', '^src/database/entities\\.ts$'] },
      to: { path: '^src/tasks/entities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'agents-through-their-repository',
      severity: 'error',
      comment: 'The agents and their config versions are read and written by agents/persistence/ alone.',
      from: {
        path: '^src/',
        pathNot: ['^src/agents/(persistence|entities)/', '\\.entity\\.ts$', '^src/database/entities\\.ts$'],
      },
      to: { path: '^src/agents/entities/agent(-config-version)?\\.entity\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sign-in-tables-through-their-repositories',
      severity: 'error',
      comment: 'Refresh tokens and MFA recovery codes are read and written by auth/persistence/ alone.',
      from: { path: '^src/', pathNot: ['^src/auth/(persistence|entities)/', '^src/database/entities\\.ts$'] },
      to: {
        path: '^src/auth/entities/(refresh-token|mfa-recovery-code)\\.entity\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'only-entries-import-the-root',
      severity: 'error',
      comment: 'The composition root wires features; features do not reach back into it.',
      from: { path: '^src/', pathNot: '^src/(app|cli)/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'console-imports-import-nothing',
      severity: 'error',
      comment: 'The console type-checks and bundles these files with its own settings: they stand alone.',
      from: { path: '^src/(workflows/step-own-fields|common/http/hidden-characters)\\.ts$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|web|test|bench|migrations)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
