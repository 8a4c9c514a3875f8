import { randomBytes } from 'node:crypto';
import { SecretsCipher } from '../common/crypto/secrets-cipher';
import { ValidationFailedError } from '../common/errors/app.error';
import { loadConfig } from '../config/app-config';
import { AgentSecrets, hasSecrets, SECRET_MASK, SECRET_TARGET } from './agent-secrets';
import { AGENT_TYPE_CLASSES } from './types';
import { HttpAgentType } from './types/http/http.agent-type';

const schema = new HttpAgentType(undefined as never, undefined as never).configSchema;
const secrets = new AgentSecrets(new SecretsCipher(loadConfig({ SECRETS_KEY: randomBytes(32).toString('hex') })));

describe('AgentSecrets', () => {
  it('every built-in type with secrets names the target they are bound to', () => {
    for (const Type of AGENT_TYPE_CLASSES) {
      const type = new Type(undefined as never, undefined as never);
      if (hasSecrets(type.configSchema))
        expect([type.type, typeof type.configSchema[SECRET_TARGET]]).toEqual([type.type, 'string']);
    }
  });

  it('refuses to seal secrets of a type that names no target', () => {
    const { [SECRET_TARGET]: _target, ...unbound } = schema;
    expect(() => secrets.seal({ url: 'https://a.example/', signingSecret: 'x'.repeat(16) }, unbound)).toThrow(
      SECRET_TARGET,
    );
  });

  it('seals and masks named secrets and header values, and runs with them at their own target', () => {
    const plain = {
      url: 'https://a.example/run',
      signingSecret: 's'.repeat(16),
      headers: { Authorization: 'Bearer t' },
    };
    const sealed = secrets.seal(plain, schema);
    expect(JSON.stringify(sealed)).not.toMatch(/sss|Bearer/);
    expect(secrets.mask(sealed, schema)).toEqual({
      url: plain.url,
      signingSecret: SECRET_MASK,
      headers: { Authorization: SECRET_MASK },
    });
    expect(secrets.forRun(sealed, schema)).toEqual({ config: plain, withheld: [] });
  });

  it('withholds at run time a secret bound to another target than the config names', () => {
    const sealed = secrets.seal({ url: 'https://a.example/run', headers: { 'X/Key': 'k' } }, schema);
    const moved = { ...sealed, url: 'https://b.example/run' };
    expect(secrets.forRun(moved, schema)).toEqual({
      config: { url: 'https://b.example/run', headers: { 'X/Key': undefined } },
      withheld: ['/headers/X~1Key'],
    });
  });

  it('keeps a masked secret for the same target only', () => {
    const sealed = secrets.seal({ url: 'https://a.example/run', signingSecret: 's'.repeat(16) }, schema);
    const same = secrets.keepMasked({ url: 'HTTPS://A.example:443/run#x', signingSecret: SECRET_MASK }, sealed, schema);
    expect(same.signingSecret).toBe('s'.repeat(16));
    for (const url of ['https://b.example/run', 'https://a.example/other', 'https://a.example:8443/run']) {
      expect(() => secrets.keepMasked({ url, signingSecret: SECRET_MASK }, sealed, schema)).toThrow(
        ValidationFailedError,
      );
    }
    expect(secrets.keepMasked({ url: 'https://b.example/run' }, sealed, schema)).toEqual({
      url: 'https://b.example/run',
    });
  });
});
