import { type ReactElement, createElement } from 'react';
import { prerenderToNodeStream } from 'react-dom/static';
import { codeNotLoaded, forgetFailedImport, isCodeNotLoaded, lazyRetrying } from './lazy-retrying';

/** The HTML `element` renders to once everything it loads has loaded; rejects with what it threw. */
async function html(element: ReactElement): Promise<string> {
  const { prelude } = await prerenderToNodeStream(element, { onError: () => undefined });
  let text = '';
  for await (const chunk of prelude) text += String(chunk);
  return text;
}

const Charts = ({ name }: { name: string }) => createElement('p', null, `the ${name}`);
const unreachable = () => new TypeError('Failed to fetch dynamically imported module: /assets/StatusCharts.js');

describe('lazyRetrying', () => {
  it('keeps a failed import until it is forgotten; the render after that imports again', async () => {
    const error = unreachable();
    const load = jest
      .fn<Promise<{ default: typeof Charts }>, []>()
      .mockRejectedValueOnce(error)
      .mockResolvedValue({ default: Charts });
    const Lazy = lazyRetrying(load);
    const charts = () => html(createElement(Lazy, { name: 'charts' }));

    await expect(charts()).rejects.toBe(error);
    // Not asked again by itself: React renders again after a failure, and would import for ever.
    await expect(charts()).rejects.toBe(error);
    expect(load).toHaveBeenCalledTimes(1);

    forgetFailedImport(error);
    await expect(charts()).resolves.toBe('<p>the charts</p>');
    expect(load).toHaveBeenCalledTimes(2);
    // Forgetting it twice does not undo the import that came.
    forgetFailedImport(error);
    await expect(charts()).resolves.toBe('<p>the charts</p>');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps an import that succeeded: later renders do not import again', async () => {
    const load = jest.fn(() => Promise.resolve({ default: Charts }));
    const Lazy = lazyRetrying(load);
    await expect(html(createElement(Lazy, { name: 'charts' }))).resolves.toBe('<p>the charts</p>');
    await expect(html(createElement(Lazy, { name: 'charts' }))).resolves.toBe('<p>the charts</p>');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('imports once, however many places show it', async () => {
    const load = jest.fn(() => Promise.resolve({ default: Charts }));
    const Lazy = lazyRetrying(load);
    const Twice = () =>
      createElement('div', null, createElement(Lazy, { name: 'a' }), createElement(Lazy, { name: 'b' }));
    await expect(html(createElement(Twice))).resolves.toBe('<div><p>the a</p><p>the b</p></div>');
    expect(load).toHaveBeenCalledTimes(1);
  });
});

describe('isCodeNotLoaded', () => {
  it.each([
    'Failed to fetch dynamically imported module: https://ymera.test/assets/AuditPage-x1.js',
    'Importing a module script failed.',
    'Unable to preload CSS for /assets/overview-x1.css',
  ])('tells a chunk that could not be fetched: %s', (message) => {
    expect(isCodeNotLoaded(new TypeError(message))).toBe(true);
  });

  it('tells it from an error the code threw', () => {
    expect(isCodeNotLoaded(new Error("Cannot read properties of undefined (reading 'map')"))).toBe(false);
    expect(isCodeNotLoaded('Failed to fetch')).toBe(false);
  });

  it('says why in one set of words', () => {
    expect(codeNotLoaded("The charts' code")).toBe(
      "The charts' code could not be loaded: the platform may be unreachable, or was updated since this tab opened.",
    );
  });
});
