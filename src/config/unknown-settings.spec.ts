import { settingNames, unknownSettings, unknownSettingWarnings } from './unknown-settings';

describe('unknown settings', () => {
  it('knows every setting, and only settings', () => {
    const names = settingNames();
    expect(names).toEqual(expect.arrayContaining(['TASK_RETENTION_DAYS', 'REDIS_URL', 'PORT', 'NODE_ENV']));
    expect(names).not.toContain('PATH');
  });

  it('names a misspelt setting with the one meant, and one like none without a guess', () => {
    const env = {
      TASK_RETENTON_DAYS: '30',
      REDIS_PREFX: 'ymera',
      WORKFLOW_TEMPLATE_FOO_BAR_BAZ: '1',
      TASK_RETENTION_DAYS: '30',
    };
    expect(unknownSettings(env)).toEqual([
      { name: 'REDIS_PREFX', meant: 'REDIS_PREFIX' },
      { name: 'TASK_RETENTON_DAYS', meant: 'TASK_RETENTION_DAYS' },
      { name: 'WORKFLOW_TEMPLATE_FOO_BAR_BAZ' },
    ]);
    expect(unknownSettingWarnings({ REDIS_PREFX: 'x' })).toEqual([
      'REDIS_PREFX is not a setting and is ignored (did you mean REDIS_PREFIX?); .env.example lists them',
    ]);
  });

  it("leaves other programs' variables alone, Node's own included", () => {
    const env = {
      PATH: '/bin',
      HOME: '/root',
      NODE_OPTIONS: '--enable-source-maps',
      NODE_EXTRA_CA_CERTS: '/ca',
      CI: 'true',
    };
    expect(unknownSettings({ ...env, TEST_DATABASE_SERVER: 'x', npm_config_cache: '/tmp' })).toEqual([]);
  });
});
