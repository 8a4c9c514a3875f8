import { settingNames, unknownSettings, unknownSettingWarnings } from './unknown-settings';

describe('unknown settings', () => {
  it('knows every setting, and only settings', () => {
    const names = settingNames();
    expect(names).toEqual(expect.arrayContaining(['TASK_RETENTION_DAYS', 'REDIS_URL', 'PORT', 'NODE_ENV']));
    expect(names).not.toContain('PATH');
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

  it("leaves other programs' variables alone, those that share a setting's first word included", () => {
    const env = {
      PATH: '/bin',
      HOME: '/root',
      CI: 'true',
      NODE_OPTIONS: '--enable-source-maps',
      NODE_EXTRA_CA_CERTS: '/ca',
      TEST_DATABASE_SERVER: 'x',
      npm_config_cache: '/tmp',
      // Kubernetes' service links, platform and CI variables.
      REDIS_PORT: 'tcp://10.0.0.3:6379',
      REDIS_SERVICE_HOST: '10.0.0.3',
      REDIS_PORT_6379_TCP_ADDR: '10.0.0.3',
      DATABASE_PORT: 'tcp://10.0.0.4:5432',
      REDIS_TLS_URL: 'rediss://x',
      WEB_CONCURRENCY: '2',
      AGENT_NAME: 'ci-1',
      APP_NAME: 'ymera',
      JWT_SECRET_FILE: '/run/secrets/jwt',
    };
    expect(unknownSettings(env)).toEqual([]);
  });
});
