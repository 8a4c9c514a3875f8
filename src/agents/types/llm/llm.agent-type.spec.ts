import { checkLlmAgentConfig } from './llm.agent-type';

describe('llm agent config', () => {
  it.each([
    'https://user:pass@api.example.org/v1',
    'https://user@api.example.org/v1',
    'https://:pass@api.example.org/v1',
    'HTTPS://User:Pass@API.example.org:8443/v1',
  ])('refuses a baseUrl with credentials in it (%s), on /baseUrl', (baseUrl) => {
    expect(checkLlmAgentConfig({ baseUrl })).toEqual([
      { field: '/baseUrl', message: 'must not carry credentials (user:password@): put the key in apiKey' },
    ]);
  });

  it.each(['https://api.example.org/v1', 'http://127.0.0.1:11434/v1?key=a@b', 'https://api.example.org/v1#a@b'])(
    'takes a baseUrl without credentials (%s)',
    (baseUrl) => {
      expect(checkLlmAgentConfig({ baseUrl })).toEqual([]);
    },
  );
});
