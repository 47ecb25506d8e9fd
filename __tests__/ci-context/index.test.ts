import { describe, expect, test } from '@jest/globals';
import { detectCiContext } from '../../src/ci-context/index.js';
import { ActionError } from '../../src/shared/errors.js';
import { parseLatest } from '../../src/image/tags/latest.js';
import { resolveTags } from '../../src/image/tags/resolve.js';
import { parseTagRules } from '../../src/image/tags/rules.js';
import { CI_FIXTURES, ciCases, fakeGit, readFixturePayload, type CiCase } from '../fixtures/ci-cases.js';
import { NOW } from '../fixtures/tags.js';

function detect(ciCase: CiCase) {
  return detectCiContext(ciCase.env, { readFile: readFixturePayload, git: fakeGit(ciCase.git) });
}

describe('detectCiContext: the whole GitContext for each CI environment', () => {
  test.each(ciCases((ciCase) => ciCase.context !== undefined))('%s: %s', (system, _name, ciCase) => {
    expect(detect(ciCase)).toEqual({ system, context: ciCase.context });
  });
});

describe('detectCiContext: what cannot be built fails with the variable to fix', () => {
  test.each(ciCases((ciCase) => ciCase.error !== undefined))('%s: %s', (_system, _name, ciCase) => {
    let thrown: unknown;
    try {
      detect(ciCase);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ActionError);
    expect((thrown as Error).message.startsWith(ciCase.error!)).toBe(true);
  });
});

describe('credentials in CI variables or remotes never reach the context', () => {
  test.each(ciCases((ciCase) => ciCase.secret !== undefined))('%s: %s', (_system, _name, ciCase) => {
    expect(JSON.stringify(detect(ciCase))).not.toContain(ciCase.secret!);
  });
});

describe('resolveTags: type=branch, type=tag, type=pr and type=sha give the same tags on every CI', () => {
  const rules = parseTagRules('type=branch\ntype=tag\ntype=pr\ntype=sha');
  test.each(ciCases((ciCase) => ciCase.tags !== undefined))('%s: %s', (_system, _name, ciCase) => {
    const { context } = detect(ciCase);
    const names = resolveTags(rules, context, { latest: parseLatest('false'), now: NOW }).tags.map(
      (tag) => tag.name,
    );
    expect(names).toEqual(ciCase.tags);
  });

  test('every system has a branch push, a tag and a pull request with tags', () => {
    for (const fixture of CI_FIXTURES) {
      const contexts = fixture.cases.filter((ciCase) => ciCase.tags).map((ciCase) => ciCase.context);
      expect([fixture.system, contexts.some((context) => context?.branch && !context.prNumber)]).toEqual([
        fixture.system,
        true,
      ]);
      expect([fixture.system, contexts.some((context) => context?.tag)]).toEqual([fixture.system, true]);
      if (fixture.system !== 'git') {
        expect([fixture.system, contexts.some((context) => context?.prNumber)]).toEqual([
          fixture.system,
          true,
        ]);
      }
    }
  });
});
