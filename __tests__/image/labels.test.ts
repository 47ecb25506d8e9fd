import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/shared/errors.js';
import {
  ociBuildArgs,
  ociLabels,
  parseCreated,
  parseLabels,
  sourceDateEpoch,
  type CreatedSetting,
  type LabelFacts,
  type Labels,
} from '../../src/image/labels.js';
import { contextOf, SHA, type Env, type EventFixture } from '../fixtures/runs.js';
import { NOW } from '../fixtures/tags.js';
import type { GitContext } from '../../src/image/git-context.js';

const OCI = 'org.opencontainers.image.';
const COMMIT: CreatedSetting = { kind: 'commit' };

function labelsFor(fixture: EventFixture, facts: Partial<LabelFacts> = {}, env: Env = {}): Labels {
  return ociLabels({ context: contextOf(fixture, env), created: COMMIT, now: NOW, ...facts });
}

describe('ociLabels', () => {
  test('a push: every label, created at the commit time', () => {
    expect(labelsFor('push', { version: 'main', primaryTag: 'sha-4f3c2b1' })).toEqual({
      [`${OCI}created`]: '2024-05-02T09:15:30.000Z',
      [`${OCI}revision`]: SHA.main,
      [`${OCI}source`]: 'https://github.com/acme/widget',
      [`${OCI}url`]: 'https://github.com/acme/widget',
      [`${OCI}version`]: 'main',
      [`${OCI}title`]: 'widget',
      [`${OCI}description`]: 'Widget service: renders widgets, fast',
      [`${OCI}licenses`]: 'Apache-2.0',
      [`${OCI}ref.name`]: 'sha-4f3c2b1',
    });
  });

  test.each<[string, EventFixture, CreatedSetting, Env, string]>([
    ['commit time of a tag push', 'push-tag', COMMIT, {}, '2024-04-30T20:45:00.000Z'],
    ["a release: its commit's date", 'release', COMMIT, {}, '2024-04-28T09:30:00.000Z'],
    ['a merge queue: its head commit', 'merge_group', COMMIT, {}, '2024-05-02T10:00:00.000Z'],
    [
      'a pull request (commit time unknown): the run time',
      'pull_request',
      COMMIT,
      {},
      '2024-05-03T04:05:06.000Z',
    ],
    [
      'workflow_dispatch (commit time unknown): the run time',
      'workflow_dispatch',
      COMMIT,
      {},
      '2024-05-03T04:05:06.000Z',
    ],
    ['created: now', 'push', { kind: 'now' }, {}, '2024-05-03T04:05:06.000Z'],
    [
      'created: a fixed time',
      'push',
      { kind: 'fixed', time: '2020-01-01T00:00:00.000Z' },
      {},
      '2020-01-01T00:00:00.000Z',
    ],
  ])('created: %s', (_name, fixture, created, env, expected) => {
    expect(labelsFor(fixture, { created }, env)[`${OCI}created`]).toBe(expected);
  });

  test('a rebuild of the same commit gets the same labels', () => {
    const later = new Date('2025-01-01T00:00:00Z');
    expect(labelsFor('push', { version: '1.0.0' })).toEqual(
      labelsFor('push', { version: '1.0.0', now: later }),
    );
  });

  test('unknown facts are left out, not written empty', () => {
    const labels = labelsFor('schedule', {}, { GITHUB_EVENT_PATH: undefined });
    expect(Object.keys(labels)).toEqual([
      `${OCI}created`,
      `${OCI}revision`,
      `${OCI}source`,
      `${OCI}url`,
      `${OCI}title`,
    ]);
  });

  test('a multi-line description becomes one line', () => {
    const context = { ...contextOf('push'), description: 'Widgets.\r\n\r\n  Fast ones.\n' };
    expect(ociLabels({ context, created: COMMIT, now: NOW })[`${OCI}description`]).toBe(
      'Widgets. Fast ones.',
    );
  });

  test('the labels input replaces in place, adds at the end and removes with an empty value', () => {
    const overrides = parseLabels(
      [`${OCI}title`, `${OCI}vendor=Acme`, `${OCI}licenses=`]
        .map((line, index) => (index === 0 ? `${line}=Widget` : line))
        .join('\n'),
    );
    const labels = labelsFor('push', { overrides });
    expect(Object.entries(labels)).toEqual([
      [`${OCI}created`, '2024-05-02T09:15:30.000Z'],
      [`${OCI}revision`, SHA.main],
      [`${OCI}source`, 'https://github.com/acme/widget'],
      [`${OCI}url`, 'https://github.com/acme/widget'],
      [`${OCI}title`, 'Widget'],
      [`${OCI}description`, 'Widget service: renders widgets, fast'],
      [`${OCI}vendor`, 'Acme'],
    ]);
  });
});

describe('ociBuildArgs', () => {
  test('every OCI label as its OCI_* build arg', () => {
    expect(ociBuildArgs(labelsFor('push-tag', { version: '1.2.3', primaryTag: '1.2.3' }))).toEqual({
      OCI_CREATED: '2024-04-30T20:45:00.000Z',
      OCI_REVISION: SHA.release,
      OCI_SOURCE: 'https://github.com/acme/widget',
      OCI_URL: 'https://github.com/acme/widget',
      OCI_VERSION: '1.2.3',
      OCI_TITLE: 'widget',
      OCI_DESCRIPTION: 'Widget service: renders widgets, fast',
      OCI_LICENSES: 'Apache-2.0',
      OCI_REF_NAME: '1.2.3',
    });
  });

  test('overrides carry over, removed labels and other labels give no build arg', () => {
    const overrides = parseLabels(`${OCI}version=2024.05\n${OCI}licenses=\ncom.acme.team=platform`);
    const args = ociBuildArgs(labelsFor('push', { version: 'main', overrides }));
    expect(args.OCI_VERSION).toBe('2024.05');
    expect(args).not.toHaveProperty('OCI_LICENSES');
    expect(Object.keys(args)).not.toContain('com.acme.team');
  });
});

describe('parseCreated', () => {
  test.each<[string, CreatedSetting]>([
    ['', { kind: 'commit' }],
    ['commit', { kind: 'commit' }],
    [' COMMIT ', { kind: 'commit' }],
    ['now', { kind: 'now' }],
    ['2024-05-01T12:00:00Z', { kind: 'fixed', time: '2024-05-01T12:00:00.000Z' }],
    ['2024-05-01T14:00+02:00', { kind: 'fixed', time: '2024-05-01T12:00:00.000Z' }],
    ['2024-05-01T12:00:00.250Z', { kind: 'fixed', time: '2024-05-01T12:00:00.250Z' }],
    ['1714564800', { kind: 'fixed', time: '2024-05-01T12:00:00.000Z' }],
  ])('%j', (text, expected) => {
    expect(parseCreated(text)).toEqual(expected);
  });

  test.each([['yesterday'], ['2024-05-01'], ['2024-05-01T12:00:00'], ['2024-13-45T99:00:00Z'], ['-5']])(
    '%j is refused',
    (text) => {
      expect(() => parseCreated(text)).toThrow(
        `Input 'created': '${text}' is not valid; expected 'commit' (the commit's time, the default), 'now' (the run's time), an ISO 8601 time such as 2024-05-01T12:00:00Z, or Unix seconds.`,
      );
    },
  );
});

describe('parseLabels', () => {
  test.each<[string, string, [string, string][]]>([
    ['empty', '', []],
    [
      'one per line',
      'a=1\nb=2',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    [
      'commas stay in values',
      `${OCI}description=Fast, small, safe`,
      [[`${OCI}description`, 'Fast, small, safe']],
    ],
    ['= stays in values', 'com.acme.query=a=b', [['com.acme.query', 'a=b']]],
    ['an empty value (removes the label)', `${OCI}licenses=`, [[`${OCI}licenses`, '']]],
    [
      'comments, blank lines, CRLF and indentation',
      '# ours\r\n  a = 1 \r\n\r\nb=2',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    ['slashes in keys', 'com.acme/team=x', [['com.acme/team', 'x']]],
  ])('%s', (_name, text, expected) => {
    expect([...parseLabels(text)]).toEqual(expected);
  });

  test.each<[string, string, string]>([
    ['no =', 'org.opencontainers.image.vendor Acme', 'org.opencontainers.image.vendor Acme'],
    ['no key', '=Acme', '=Acme'],
    ['a key with spaces', 'my label=x', 'my label=x'],
    ['a key ending in a dot', 'com.acme.=x', 'com.acme.=x'],
  ])('%s is refused with an example', (_name, text, line) => {
    expect(() => parseLabels(text)).toThrow(
      new InputError(
        'labels',
        line,
        'write one key=value per line, such as org.opencontainers.image.vendor=Acme (key=  with no value removes a label)',
      ),
    );
  });

  test('a key given twice is refused', () => {
    expect(() => parseLabels('a=1\na=2')).toThrow(
      "Input 'labels': 'a=2' is not valid; 'a' is given twice; keep one.",
    );
  });
});

describe('sourceDateEpoch: the time BuildKit stamps a reproducible image with', () => {
  const known: GitContext = {
    eventName: 'push',
    sha: SHA.main,
    ref: 'refs/heads/main',
    commitTime: '2024-05-01T12:00:00.000Z',
  };
  const unknown: GitContext = { eventName: 'workflow_dispatch', sha: SHA.main, ref: 'refs/heads/main' };
  test.each<[string, CreatedSetting, GitContext, number | undefined]>([
    ["the commit's time", { kind: 'commit' }, known, 1714564800],
    ['a fixed time', { kind: 'fixed', time: '2020-01-01T00:00:00.000Z' }, known, 1577836800],
    ['now: none (each run differs anyway)', { kind: 'now' }, known, undefined],
    ['no known commit time: none', { kind: 'commit' }, unknown, undefined],
  ])('%s', (_name, created, gitContext, expected) => {
    expect(sourceDateEpoch(created, gitContext)).toBe(expected);
  });
});
