import { sentFields } from './sent-fields';

class Change {
  name?: string = undefined;
  inputTemplate?: unknown = undefined;
  enabled?: boolean = undefined;
}

describe('sentFields', () => {
  it('names the fields a request set, null included, not those its class only declares', () => {
    const dto = Object.assign(new Change(), { enabled: false, inputTemplate: null });
    expect(Object.keys(dto)).toEqual(['name', 'inputTemplate', 'enabled']);
    expect(sentFields(dto)).toEqual(['inputTemplate', 'enabled']);
    expect(sentFields(new Change())).toEqual([]);
  });
});
