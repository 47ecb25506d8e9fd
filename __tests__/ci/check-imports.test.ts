import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../fixtures/paths.js';

const CHECKER = path.join(PROJECT_ROOT, '.ci', 'check-imports.mjs');
let dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A src/ tree of the given files, checked; resolves the exit code and everything printed. */
function check(files: Record<string, string>): { code: number | null; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'check-imports-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const result = spawnSync(process.execPath, [CHECKER, '--src', dir], { encoding: 'utf8' });
  return { code: result.status, output: result.stdout + result.stderr };
}

describe('the import rules npm test enforces', () => {
  test('the project itself passes', () => {
    const result = spawnSync(process.execPath, [CHECKER], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/0 circles/);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    [
      'a circle',
      {
        'login/plan.ts': "import { b } from '../login/registries.js';\nexport const a = b;\n",
        'login/registries.ts': "import { a } from './plan.js';\nexport const b = a;\n",
      },
      /import circle: login\/plan\.ts → login\/registries\.ts → login\/plan\.ts/,
    ],
    [
      'an adapter importing the orchestration',
      {
        'aws/images.ts': "import { runMain } from '../action/main.js';\nexport const x = runMain;\n",
        'action/main.ts': 'export const runMain = 1;\n',
      },
      /aws\/images\.ts → action\/main\.ts/,
    ],
    [
      'a pure module importing an adapter',
      {
        'image/tags/rules.ts': "import { x } from '../../aws/images.js';\nexport const y = x;\n",
        'aws/images.ts': 'export const x = 1;\n',
      },
      /image\/tags\/rules\.ts → aws\/images\.ts: a pure module/,
    ],
    [
      'a pure module doing I/O',
      { 'image/labels.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n" },
      /image\/labels\.ts: imports node:fs/,
    ],
    [
      'a stage importing the CLI',
      {
        'builder/step.ts': "import { help } from '../cli/help.js';\nexport const h = help;\n",
        'cli/help.ts': 'export const help = 1;\n',
      },
      /builder\/step\.ts → cli\/help\.ts: nothing below the CLI/,
    ],
  ])('fails on %s', (_name, files, message) => {
    const result = check(files);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
  });

  test('a type-only import of the SDK in a pure module is fine (erased at build)', () => {
    const result = check({
      'repository/policies/update.ts':
        "import type { Repository } from '@aws-sdk/client-ecr';\nexport type R = Repository;\n",
    });
    expect(result.output).toMatch(/0 circles/);
    expect(result.code).toBe(0);
  });
});
