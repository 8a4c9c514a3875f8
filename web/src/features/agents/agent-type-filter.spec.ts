import { agentTypeFilter } from './agent-type-filter';

const known = ['calculator', 'http', 'data-processor'];

describe('agentTypeFilter', () => {
  it('filters by a type the server knows', () => {
    expect(agentTypeFilter('http', known)).toEqual({ type: 'http', drop: false });
  });

  it('drops a type the server does not know from the filter and the URL', () => {
    expect(agentTypeFilter('nonexistent', known)).toEqual({ type: undefined, drop: true });
    expect(agentTypeFilter('HTTP', known)).toEqual({ type: undefined, drop: true });
  });

  it('filters by nothing without a type, and keeps the type while the known types are not there', () => {
    expect(agentTypeFilter(null, known)).toEqual({ type: undefined, drop: false });
    expect(agentTypeFilter('', known)).toEqual({ type: undefined, drop: false });
    expect(agentTypeFilter('nonexistent', undefined)).toEqual({ type: 'nonexistent', drop: false });
  });
});
