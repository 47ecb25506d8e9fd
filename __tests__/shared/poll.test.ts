import { describe, expect, test } from '@jest/globals';
import { poll } from '../../src/shared/poll.js';
import { fakeClock } from '../fixtures/fake-clock.js';

describe('poll', () => {
  test.each([
    [1, []],
    [3, [100, 200]],
    [6, [100, 200, 400, 500, 500]],
  ])('a final answer on ask %i: the pauses before it double up to the cap', async (finalAt, pauses) => {
    const clock = fakeClock();
    let asked = 0;
    const answer = await poll(() => Promise.resolve(++asked >= finalAt ? 'done' : undefined), {
      ...clock,
      firstMs: 100,
      maxMs: 500,
      timeoutMs: 60_000,
      timedOut: () => new Error('late'),
    });
    expect(answer).toBe('done');
    expect(asked).toBe(finalAt);
    expect(clock.slept).toEqual(pauses);
  });

  test('the deadline fails with its own error rather than sleeping past it', async () => {
    const clock = fakeClock();
    await expect(
      poll(() => Promise.resolve(undefined), {
        ...clock,
        firstMs: 100,
        maxMs: 500,
        timeoutMs: 1_000,
        timedOut: () => new Error('still pending: us-east-1'),
      }),
    ).rejects.toThrow('still pending: us-east-1');
    expect(clock.slept).toEqual([100, 200, 400]);
  });

  test('an error from ask ends the polling at once', async () => {
    const clock = fakeClock();
    await expect(
      poll(() => Promise.reject(new Error('FAILED')), {
        ...clock,
        firstMs: 100,
        maxMs: 500,
        timeoutMs: 1_000,
        timedOut: () => new Error('late'),
      }),
    ).rejects.toThrow('FAILED');
    expect(clock.slept).toEqual([]);
  });
});
