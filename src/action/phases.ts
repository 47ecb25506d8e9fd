/** The step's phases (login, plan, build, push), each a log group that ends with its duration. */
import * as core from '@actions/core';

export interface PhaseTiming {
  name: string;
  ms: number;
}

export class Phases {
  readonly timings: PhaseTiming[] = [];

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    return core.group(name, async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        const ms = Math.round(performance.now() - started);
        this.timings.push({ name, ms });
        core.info(`${name}: ${formatDuration(ms)}.`);
      }
    });
  }
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
