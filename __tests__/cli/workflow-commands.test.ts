/**
 * The CLI's text side: the action's workflow commands (`::group::`, `::warning::`, `::add-mask::`, ...) as
 * plain lines, with every registered secret masked from then on, whatever way the output is chunked; and
 * the file-command files (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV) read back as the runner reads them.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import * as core from '@actions/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PlainTextFilter, parseFileCommands } from '../../src/cli/workflow-commands.js';
import { readFixture } from '../fixtures/paths.js';

const fixture = (name: string): string => readFixture('cli', name);

const TRANSCRIPT = fixture('step-log.txt');
const EXPECTED = fixture('step-log.expected.txt');
const PASSWORD = 's3cr3t-Pa55word-for-tests';
/** base64("AWS:" + PASSWORD): the docker config's auth value. */
const AUTH = 'QVdTOnMzY3IzdC1QYTU1d29yZC1mb3ItdGVzdHM=';

/** Everything a filter prints for `chunks`, flush included. */
function plain(chunks: readonly string[], filter = new PlainTextFilter()): string {
  return chunks.map((chunk) => filter.write(chunk)).join('') + filter.flush();
}

describe('PlainTextFilter over a step transcript', () => {
  test('the transcript becomes the plain log: groups, annotations, masks; runner-only commands dropped', () => {
    expect(plain([TRANSCRIPT])).toBe(EXPECTED);
  });

  test('no workflow command and no secret is left in the plain log', () => {
    const text = plain([TRANSCRIPT]);
    expect(text.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(AUTH);
  });

  test('line by line, as the step prints it', () => {
    const lines = TRANSCRIPT.split(/(?<=\n)/);
    expect(plain(lines)).toBe(EXPECTED);
  });

  test('one character at a time: split mid-command, mid-secret and mid-escape', () => {
    expect(plain(TRANSCRIPT.split(''))).toBe(EXPECTED);
  });

  test.each(Array.from({ length: 40 }, (_, index) => [index * 25 + 1]))(
    'split in two at character %i',
    (at) => {
      expect(plain([TRANSCRIPT.slice(0, at), TRANSCRIPT.slice(at)])).toBe(EXPECTED);
    },
  );

  test('a chunk without a newline is held back until its line is complete', () => {
    const filter = new PlainTextFilter();
    expect(filter.write('::group::Bu')).toBe('');
    expect(filter.write('ild')).toBe('');
    expect(filter.write('\nstep 1\nste')).toBe('== Build\nstep 1\n');
    expect(filter.write('p 2\n')).toBe('step 2\n');
  });
});

describe('PlainTextFilter: commands', () => {
  test.each<[string, string, string]>([
    ['group', '::group::Build\n', '== Build\n'],
    ['endgroup: dropped', '::endgroup::\n', ''],
    ['debug: dropped', '::debug::internal detail\n', ''],
    ['save-state: dropped', '::save-state name=isPost::true\n', ''],
    ['set-output: dropped', '::set-output name=image::x\n', ''],
    ['warning', '::warning::disk almost full\n', 'warning: disk almost full\n'],
    ['warning with properties', '::warning file=x::msg\n', 'warning: msg\n'],
    [
      'warning with several properties',
      '::warning file=Dockerfile,line=3,endLine=4,title=Unused::ARG X is not used\n',
      'warning: ARG X is not used\n',
    ],
    ['error', '::error::push failed\n', 'error: push failed\n'],
    ['error with a title', '::error title=Push::push failed\n', 'error: push failed\n'],
    ['notice', '::notice::done\n', 'notice: done\n'],
    ['an empty warning', '::warning::\n', 'warning: \n'],
    ['a CRLF line', '::group::Build\r\n', '== Build\n'],
    ['an unknown command: printed as it is', '::frobnicate::x\n', '::frobnicate::x\n'],
    ['a command not at the start of the line: text', 'say ::warning::x\n', 'say ::warning::x\n'],
    ['a plain line', 'Step 1/3 : FROM scratch\n', 'Step 1/3 : FROM scratch\n'],
    ['an empty line', '\n', '\n'],
    ['colons in a plain line', 'a::b::c\n', 'a::b::c\n'],
  ])('%s', (_name, input, expected) => {
    expect(plain([input])).toBe(expected);
  });
});

describe('PlainTextFilter: escaped command data', () => {
  test.each<[string, string, string]>([
    ['%0A: a new line', '::warning::one%0Atwo\n', 'warning: one\ntwo\n'],
    ['%0D: a carriage return', '::warning::one%0Dtwo\n', 'warning: one\rtwo\n'],
    ['%25: a percent sign', '::warning::100%25\n', 'warning: 100%\n'],
    ['%250A: the text %0A, not a new line', '::warning::a %250A b\n', 'warning: a %0A b\n'],
    ['%2525: the text %25', '::notice::%2525\n', 'notice: %25\n'],
    ['a group title', '::group::Build %25 push\n', '== Build % push\n'],
    ['plain lines are not unescaped', 'progress 50%25 %0A\n', 'progress 50%25 %0A\n'],
  ])('%s', (_name, input, expected) => {
    expect(plain([input])).toBe(expected);
  });

  test('escaped data round-trips @actions/core’s own escaping', () => {
    const message = 'line 1\nline 2 at 100% (%0A literal)\r\nend';
    // core escapes %, CR and LF in command data; the filter must give the message back exactly.
    const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    expect(plain([`::warning::${escaped}\n`])).toBe(`warning: ${message}\n`);
  });
});

describe('PlainTextFilter: masks', () => {
  test('add-mask hides the value in every later line, and prints nothing itself', () => {
    expect(plain(['::add-mask::hunter2\n', 'password hunter2\n', 'again: hunter2hunter2\n'])).toBe(
      'password ***\nagain: ******\n',
    );
  });

  test('lines before the add-mask are not rewritten (as on a runner)', () => {
    expect(plain(['early hunter2\n', '::add-mask::hunter2\n', 'late hunter2\n'])).toBe(
      'early hunter2\nlate ***\n',
    );
  });

  test('a mask applies to the next line of the same chunk', () => {
    expect(plain(['::add-mask::hunter2\nnext hunter2\n'])).toBe('next ***\n');
  });

  test('masks apply inside commands: group titles and annotations', () => {
    expect(plain(['::add-mask::hunter2\n', '::group::login hunter2\n', '::error::bad hunter2\n'])).toBe(
      '== login ***\nerror: bad ***\n',
    );
  });

  test('the longer of two overlapping secrets is hidden whole, whatever the order they came in', () => {
    const short = 'token';
    const long = 'token-and-more';
    const expected = 'a *** b ***\n';
    expect(plain([`::add-mask::${short}\n`, `::add-mask::${long}\n`, `a ${long} b ${short}\n`])).toBe(
      expected,
    );
    expect(plain([`::add-mask::${long}\n`, `::add-mask::${short}\n`, `a ${long} b ${short}\n`])).toBe(
      expected,
    );
  });

  test('a secret split across chunks is still masked', () => {
    expect(plain(['::add-mask::hunter2\n', 'pass hun', 'ter', '2 end\n'])).toBe('pass *** end\n');
  });

  test('an escaped mask value hides its unescaped form', () => {
    expect(plain(['::add-mask::50%25off\n', 'code 50%off\n'])).toBe('code ***\n');
  });

  test('a blank mask is ignored: it would hide every space', () => {
    const filter = new PlainTextFilter();
    filter.addMask('   ');
    filter.addMask('');
    expect(plain(['::add-mask::  \n', 'a b c\n'], filter)).toBe('a b c\n');
  });

  test('addMask (core.setSecret in-process) and mask() for text printed outside the stream', () => {
    const filter = new PlainTextFilter();
    filter.addMask('hunter2');
    expect(filter.mask('{"password":"hunter2"}')).toBe('{"password":"***"}');
    expect(plain(['x hunter2\n'], filter)).toBe('x ***\n');
  });

  test('regular-expression characters in a secret are taken literally', () => {
    expect(plain(['::add-mask::a.b*c$(d)\n', 'axb a.b*c$(d) abbbc\n'])).toBe('axb *** abbbc\n');
  });
});

describe('PlainTextFilter.flush', () => {
  test('a last line without a newline comes out on flush, without a newline', () => {
    const filter = new PlainTextFilter();
    expect(filter.write('done')).toBe('');
    expect(filter.flush()).toBe('done');
    expect(filter.flush()).toBe('');
  });

  test('a last command line is translated and masked on flush', () => {
    const filter = new PlainTextFilter();
    filter.write('::add-mask::hunter2\n');
    filter.write('::error::bad hunter2');
    expect(filter.flush()).toBe('error: bad ***');
  });

  test('a last add-mask registers the mask and prints nothing', () => {
    const filter = new PlainTextFilter();
    filter.write('::add-mask::hunter2');
    expect(filter.flush()).toBe('');
    expect(filter.mask('hunter2')).toBe('***');
  });

  test('nothing pending: nothing', () => {
    const filter = new PlainTextFilter();
    filter.write('a\n');
    expect(filter.flush()).toBe('');
  });

  test('the filter goes on after a flush', () => {
    const filter = new PlainTextFilter();
    filter.write('::add-mask::hunter2\npartial');
    expect(filter.flush()).toBe('partial');
    expect(filter.write('hunter2\n')).toBe('***\n');
  });
});

describe('parseFileCommands', () => {
  test('the runner’s heredoc format: multi-line and empty values; a later value wins', () => {
    expect(parseFileCommands(fixture('github-output.txt'))).toEqual({
      registry: '127.0.0.1:6000',
      tags: '127.0.0.1:5000/team/app:sha-0123456\n127.0.0.1:5000/team/app:main',
      digest: '',
      json: '{"tags":["a"],\n"note":"a line such as x<<y inside a value"}',
    });
  });

  test('CRLF line ends (a file written on Windows)', () => {
    expect(parseFileCommands(fixture('github-output-crlf.txt'))).toEqual({ registry: '127.0.0.1:5000' });
  });

  test('an empty file: no values', () => {
    expect(parseFileCommands('')).toEqual({});
  });

  test('a value that is not closed by its delimiter is not taken', () => {
    const text = 'a<<ghadelimiter_0123abcd\nvalue\nghadelimiter_ffff\n';
    expect(parseFileCommands(text)).toEqual({});
  });

  test('a value holding a line that starts like the delimiter is kept whole', () => {
    const d = 'ghadelimiter_0123abcd';
    const text = `a<<${d}\n${d}x\nvalue\n${d}\n`;
    expect(parseFileCommands(text)).toEqual({ a: `${d}x\nvalue` });
  });

  describe('round trip through @actions/core', () => {
    const saved = { ...process.env };
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'cli-file-commands-'));
      for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV']) {
        const file = path.join(dir, name.toLowerCase());
        writeFileSync(file, '');
        process.env[name] = file;
      }
    });

    afterEach(() => {
      for (const name of Object.keys(process.env)) {
        if (!(name in saved)) Reflect.deleteProperty(process.env, name);
      }
      Object.assign(process.env, saved);
      rmSync(dir, { recursive: true, force: true });
    });

    test('setOutput, saveState and exportVariable read back exactly', () => {
      const values = {
        plain: 'value',
        multi: 'line 1\nline 2\n\nline 4',
        empty: '',
        tricky: 'a<<b\n%0A 100% ::warning::x',
        json: JSON.stringify({ tags: ['a', 'b'], labels: { k: 'v=w' } }),
      };
      for (const [name, value] of Object.entries(values)) {
        core.setOutput(name, value);
        core.saveState(name, value);
      }
      core.setOutput('plain', 'later');
      core.exportVariable('CLI_TEST_EXPORTED', '/tmp/x y');
      const read = (name: string) => parseFileCommands(readFileSync(path.join(dir, name), 'utf8'));
      expect(read('github_output')).toEqual({ ...values, plain: 'later' });
      expect(read('github_state')).toEqual(values);
      expect(read('github_env')).toEqual({ CLI_TEST_EXPORTED: '/tmp/x y' });
    });
  });
});
