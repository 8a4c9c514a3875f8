import { oneWatch } from './focus-marked-field';

describe('oneWatch', () => {
  it('stops the watch before it when another starts, so repeated submits leave one watcher', () => {
    const watch = oneWatch();
    const stopped: string[] = [];
    watch.start(() => () => stopped.push('first'));
    expect(stopped).toEqual([]);
    watch.start(() => () => stopped.push('second'));
    expect(stopped).toEqual(['first']);
    watch.start(() => () => stopped.push('third'));
    expect(stopped).toEqual(['first', 'second']);
  });

  it('stops the current watch once (the next submit, leaving the page), and nothing when none runs', () => {
    const watch = oneWatch();
    const stop = jest.fn();
    watch.stop();
    watch.start(() => stop);
    watch.stop();
    watch.stop();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
