import { describe, expect, jest, test } from '@jest/globals';
import { formatDuration, Phases } from '../../src/action/phases.js';

describe('phases', () => {
  test.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [12_345, '12.3 s'],
  ])('formatDuration(%d) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('each phase is a log group that ends with its duration, and is timed even when it fails', async () => {
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const phases = new Phases();
    await expect(phases.run('Login', () => Promise.resolve(7))).resolves.toBe(7);
    await expect(phases.run('Push', () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
    expect(phases.timings.map((timing) => timing.name)).toEqual(['Login', 'Push']);
    const log = written.join('');
    expect(log).toMatch(/::group::Login\n[\s\S]*Login: \d+ ms\.\n::endgroup::/);
    expect(log).toMatch(/::group::Push\n[\s\S]*Push: \d+ ms\.\n::endgroup::/);
  });
});
