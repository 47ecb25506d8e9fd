/**
 * The GitReader over the real git: argument arrays only (never a shell, so no value is ever interpreted),
 * output captured, stderr dropped (a failing command is an answer here, not an error to show).
 */
import { execFileSync } from 'node:child_process';
import type { GitReader } from './types.js';

export function createGitReader(cwd: string): GitReader {
  return {
    run(args: readonly string[]): string | undefined {
      try {
        const output = execFileSync('git', [...args], {
          cwd,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        return output.replace(/\r?\n$/, '');
      } catch {
        return undefined;
      }
    },
  };
}
