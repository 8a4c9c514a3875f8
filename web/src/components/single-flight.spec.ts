import { singleFlight } from './single-flight';

/** An action that ends when told to. */
function pending<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('singleFlight', () => {
  it('runs one action of two started at once (a double click): the second is dropped', async () => {
    const flight = singleFlight();
    const answer = pending<string>();
    const action = jest.fn(() => answer.promise);
    const first = flight.run(action);
    const second = flight.run(action);
    expect(flight.running).toBe(true);
    expect(action).toHaveBeenCalledTimes(1);
    await expect(second).resolves.toBeUndefined();
    answer.resolve('saved');
    await expect(first).resolves.toBe('saved');
    expect(flight.running).toBe(false);
  });

  it('runs again once the last one has ended, failed ones too', async () => {
    const flight = singleFlight();
    const failure = new Error('refused');
    await expect(flight.run(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(flight.running).toBe(false);
    await expect(flight.run(() => Promise.resolve(2))).resolves.toBe(2);
    // An action that throws before it returns a promise ends its turn too.
    await expect(
      flight.run(() => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(flight.run(() => Promise.resolve(3))).resolves.toBe(3);
  });
});
