import {
  assertVitalSettingsGiven,
  assertVitalSettingsSpelt,
  editDistance,
  settingNames,
  unknownSettings,
  unknownSettingWarnings,
} from './unknown-settings';

describe('unknown settings', () => {
  it('knows every setting, and only settings', () => {
    const names = settingNames();
    expect(names).toEqual(expect.arrayContaining(['TASK_RETENTION_DAYS', 'REDIS_URL', 'PORT', 'NODE_ENV']));
    expect(names).not.toContain('PATH');
  });

  it('counts a swap of two adjacent characters as one edit', () => {
    expect(editDistance('REDIS_URL', 'REDIS_URL')).toBe(0);
    expect(editDistance('REDSI_URL', 'REDIS_URL')).toBe(1);
    expect(editDistance('DATABSE_URL', 'DATABASE_URL')).toBe(1);
    expect(editDistance('NODE_ENV', 'NODE_EVN')).toBe(1);
    expect(editDistance('HOME', 'HOST')).toBe(2);
    expect(editDistance('', 'PORT')).toBe(4);
    expect(editDistance('REDIS_PORT', 'REDIS_URL')).toBe(3);
  });

  it('names a misspelt setting with the one meant', () => {
    const env = { TASK_RETENTON_DAYS: '30', REDIS_PREFX: 'ymera', LOG_LEVL: 'debug', TASK_RETENTION_DAYS: '30' };
    expect(unknownSettings(env)).toEqual([
      { name: 'LOG_LEVL', meant: 'LOG_LEVEL' },
      { name: 'REDIS_PREFX', meant: 'REDIS_PREFIX' },
      { name: 'TASK_RETENTON_DAYS', meant: 'TASK_RETENTION_DAYS' },
    ]);
    expect(unknownSettingWarnings({ REDIS_PREFX: 'x' })).toEqual([
      'REDIS_PREFX is not a setting and is ignored (did you mean REDIS_PREFIX?); .env.example lists them',
    ]);
  });

  it.each([
    ['DATABSE_URL', 'DATABASE_URL'],
    ['REDSI_URL', 'REDIS_URL'],
    ['SECRET_KEY', 'SECRETS_KEY'],
    ['NODE_EVN', 'NODE_ENV'],
    ['NODEENV', 'NODE_ENV'],
    ['node_env', 'NODE_ENV'],
    ['DATABASE_URI', 'DATABASE_URL'],
    ['REDIS_ULR', 'REDIS_URL'],
    ['JWT_SECERT', 'JWT_SECRET'],
    ['JWTSECRET', 'JWT_SECRET'],
    ['WORKER_CONCURENCY', 'WORKER_CONCURRENCY'],
  ])('%s, a typo in any word of the name: did you mean %s?', (name, meant) => {
    expect(unknownSettings({ [name]: 'x' })).toEqual([{ name, meant }]);
  });

  it("leaves other programs' variables alone, those that share a setting's first word included", () => {
    const env = {
      PATH: '/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      TERM: 'xterm',
      PWD: '/app',
      OLDPWD: '/',
      SHLVL: '1',
      HOSTNAME: 'web-1',
      USER: 'node',
      SHELL: '/bin/sh',
      TZ: 'UTC',
      CI: 'true',
      JEST_WORKER_ID: '1',
      ENV_FILE: '/run/ymera.env',
      NODE_OPTIONS: '--enable-source-maps',
      NODE_EXTRA_CA_CERTS: '/ca',
      NODE_PATH: '/usr/lib/node_modules',
      NODE_VERSION: '20.19.0',
      NODE_DEBUG: 'http',
      NODE_TLS_REJECT_UNAUTHORIZED: '1',
      TEST_DATABASE_SERVER: 'x',
      npm_config_cache: '/tmp',
      npm_lifecycle_event: 'start',
      npm_package_name: 'ymera',
      http_proxy: 'http://proxy:3128',
      no_proxy: '127.0.0.1',
      // A port per task (Marathon, Nomad) beside PORT, and database clients' own variables.
      PORT0: '31000',
      PGHOST: 'db',
      PGPORT: '5432',
      DB_HOST: 'db',
      // Kubernetes' service links, platform and CI variables.
      REDIS_PORT: 'tcp://10.0.0.3:6379',
      REDIS_HOST: '10.0.0.3',
      REDIS_SERVICE_HOST: '10.0.0.3',
      REDIS_PORT_6379_TCP_ADDR: '10.0.0.3',
      DATABASE_PORT: 'tcp://10.0.0.4:5432',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      REDIS_TLS_URL: 'rediss://x',
      WEB_CONCURRENCY: '2',
      AGENT_NAME: 'ci-1',
      APP_NAME: 'ymera',
      APP_ENV: 'prod',
      JWT_SECRET_FILE: '/run/secrets/jwt',
    };
    expect(unknownSettings(env)).toEqual([]);
  });

  it('finds nothing to warn about in the environment of the machine running the tests', () => {
    expect(unknownSettingWarnings(process.env)).toEqual([]);
  });
});

describe('misspelt settings that matter, in production', () => {
  const production = { NODE_ENV: 'production' };

  it.each([
    ['DATABSE_URL', 'DATABASE_URL'],
    ['REDSI_URL', 'REDIS_URL'],
    ['JWT_SECERT', 'JWT_SECRET'],
    ['SECRET_KEY', 'SECRETS_KEY'],
  ])('%s stops the start in one line naming %s too', (name, meant) => {
    const start = (): void => assertVitalSettingsSpelt({ ...production, [name]: 'value' });
    expect(start).toThrow(
      `Invalid configuration: ${name} is not a setting (did you mean ${meant}?), and ${meant} is not set: in ` +
        `production that stops the start rather than run without it. Rename ${name} to ${meant}.`,
    );
  });

  it('takes a misspelt NODE_ENV saying production, with NODE_ENV unset, for production', () => {
    expect(() => assertVitalSettingsSpelt({ NODE_EVN: 'production' })).toThrow(
      /^Invalid configuration: NODE_EVN is not a setting \(did you mean NODE_ENV\?\), and NODE_ENV is not set/,
    );
    expect(() => assertVitalSettingsSpelt({ NODEENV: 'production', DATABSE_URL: 'postgres://db/ymera' })).toThrow(
      /^Invalid configuration: DATABSE_URL is not a setting \(did you mean DATABASE_URL\?\)/,
    );
  });

  it('only warns outside production', () => {
    for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'development', NODE_EVN: 'production' }]) {
      expect(() => assertVitalSettingsSpelt({ ...env, DATABSE_URL: 'postgres://db/ymera' })).not.toThrow();
    }
  });

  it('only warns when the setting itself is set, when the misspelt variable is empty, or for other settings', () => {
    const cases = [
      { DATABSE_URL: 'postgres://db/other', DATABASE_URL: 'postgres://db/ymera' },
      { SECRET_KEY: 'django', SECRETS_KEY: 'a'.repeat(64) },
      { DATABSE_URL: '' },
      { TASK_RETENTON_DAYS: '30', LOG_LEVL: 'debug' },
    ];
    for (const env of cases) {
      expect(() => assertVitalSettingsSpelt({ ...production, ...env })).not.toThrow();
      expect(unknownSettings(env)).not.toEqual([]);
    }
  });

  it('stops a start whose DATABASE_URL or REDIS_URL is set but empty, in any environment', () => {
    for (const name of ['DATABASE_URL', 'REDIS_URL'])
      for (const value of ['', '  '])
        expect(() => assertVitalSettingsGiven({ NODE_ENV: 'production', [name]: value })).toThrow(
          `Invalid configuration: ${name} is set but empty: that stops the start rather than run on the default.`,
        );
    expect(() => assertVitalSettingsGiven({ NODE_ENV: 'development', DATABASE_URL: '' })).toThrow(/set but empty/);
    expect(() => assertVitalSettingsGiven({ REDIS_URL: ' ' })).toThrow(/REDIS_URL is set but empty/);
    expect(() => assertVitalSettingsGiven({ NODE_ENV: 'development' })).not.toThrow();
    expect(() => assertVitalSettingsGiven({ NODE_ENV: 'production' })).not.toThrow();
    // A cluster's nodes stand for REDIS_URL.
    expect(() =>
      assertVitalSettingsGiven({ NODE_ENV: 'production', REDIS_URL: '', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }),
    ).not.toThrow();
  });
});
