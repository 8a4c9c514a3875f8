import { vitalReport } from './web-vital-report';

describe('web vital report', () => {
  it("sends the page's absolute URL without its query string or fragment", () => {
    const location = new URL('https://ymera.example.com:8443/tasks/42?status=failed&q=secret#row-3');
    const body = vitalReport(
      { name: 'LCP', value: 812.4, id: 'v4-1700000000000-123', rating: 'good' },
      location,
      's-1',
      new Date('2026-01-02T03:04:05.000Z'),
    );
    expect(body).toEqual({
      name: 'LCP',
      value: 812.4,
      id: 'v4-1700000000000-123',
      rating: 'good',
      sessionId: 's-1',
      url: 'https://ymera.example.com:8443/tasks/42',
      timestamp: '2026-01-02T03:04:05.000Z',
    });
  });
});
