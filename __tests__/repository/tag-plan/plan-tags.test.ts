import { describe, expect, test } from '@jest/globals';
import { ActionError } from '../../../src/shared/errors.js';
import { parseOnImmutable } from '../../../src/repository/tag-plan/on-immutable.js';
import { planTags } from '../../../src/repository/tag-plan/plan-tags.js';
import { isSameImage } from '../../../src/repository/tag-plan/same-image.js';
import { highestStableVersion } from '../../../src/repository/tag-plan/versions.js';
import type { ExistingImage, TagPlan, TagPlanInput } from '../../../src/repository/tag-plan/types.js';
import type { TagMutabilitySetting } from '../../../src/repository/policies/tag-mutability.js';
import type { ResolvedTag } from '../../../src/image/tags/types.js';

const NEW = 'sha256:' + 'a'.repeat(64);
const OLD = 'sha256:' + 'b'.repeat(64);
const NEW_CONFIG = 'sha256:' + 'c'.repeat(64);
const OLD_CONFIG = 'sha256:' + 'd'.repeat(64);

const fixed = (name: string, kind: ResolvedTag['kind'] = 'semver'): ResolvedTag => ({
  name,
  kind,
  moving: false,
  rule: `type=${kind}`,
});
const moving = (name: string, kind: ResolvedTag['kind'] = 'branch'): ResolvedTag => ({
  name,
  kind,
  moving: true,
  rule: `type=${kind}`,
});
const latest = (version?: string): ResolvedTag => ({
  ...moving('latest', 'latest'),
  ...(version && { version }),
});
const floating = (name: string, version: string, floatingPart: 'major' | 'minor'): ResolvedTag => ({
  ...moving(name, 'semver'),
  version,
  floating: floatingPart,
});

const MUTABLE: TagMutabilitySetting = { mutability: 'MUTABLE', exclusionFilters: [] };
const IMMUTABLE: TagMutabilitySetting = { mutability: 'IMMUTABLE', exclusionFilters: [] };

function plan(input: Partial<TagPlanInput>): TagPlan {
  return planTags({
    tags: [],
    tagMutability: MUTABLE,
    images: [],
    image: { digest: NEW },
    onImmutable: 'skip',
    latestAuto: true,
    ...input,
  });
}

/** The plan as names only: what the log would list. */
function summary(result: TagPlan) {
  return {
    push: result.push.map(({ tag }) => tag.name),
    unchanged: result.unchanged.map(({ tag }) => tag.name),
    skipped: result.skipped.map(({ tag }) => tag.name),
  };
}

function failure(input: Partial<TagPlanInput>): string {
  try {
    plan(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return (error as Error).message;
  }
  throw new Error('expected the plan to fail');
}

describe('planTags: mutability', () => {
  const existing = (tags: string[], digest = OLD, configDigest?: string): ExistingImage => ({
    digest,
    tags,
    ...(configDigest && { configDigest }),
  });

  test.each<[string, Partial<TagPlanInput>, ReturnType<typeof summary>]>([
    [
      'empty repository: everything is pushed',
      { tags: [fixed('1.2.3'), moving('main')] },
      { push: ['1.2.3', 'main'], unchanged: [], skipped: [] },
    ],
    [
      'mutable: tags holding another image move',
      { tags: [fixed('1.2.3'), moving('main')], images: [existing(['1.2.3', 'main'])] },
      { push: ['1.2.3', 'main'], unchanged: [], skipped: [] },
    ],
    [
      'mutable: tags already on this image are unchanged',
      { tags: [fixed('1.2.3'), moving('main')], images: [existing(['main'], NEW)] },
      { push: ['1.2.3'], unchanged: ['main'], skipped: [] },
    ],
    [
      'immutable: a new fixed tag is pushed, a moving one skipped',
      {
        tagMutability: IMMUTABLE,
        tags: [fixed('1.2.3'), fixed('sha-abc1234', 'sha'), moving('main'), latest()],
      },
      { push: ['1.2.3', 'sha-abc1234'], unchanged: [], skipped: ['main', 'latest'] },
    ],
    [
      'immutable: the same image by digest is unchanged',
      { tagMutability: IMMUTABLE, tags: [fixed('1.2.3')], images: [existing(['1.2.3'], NEW)] },
      { push: [], unchanged: ['1.2.3'], skipped: [] },
    ],
    [
      'immutable: the same image by config digest is unchanged, whatever the manifest',
      {
        tagMutability: IMMUTABLE,
        tags: [fixed('1.2.3')],
        images: [existing(['1.2.3'], OLD, NEW_CONFIG)],
        image: { digest: NEW, configDigest: NEW_CONFIG },
      },
      { push: [], unchanged: ['1.2.3'], skipped: [] },
    ],
    [
      'immutable: a moving tag already on this image is unchanged, not skipped',
      { tagMutability: IMMUTABLE, tags: [latest()], images: [existing(['latest'], NEW)] },
      { push: [], unchanged: ['latest'], skipped: [] },
    ],
    [
      'IMMUTABLE_WITH_EXCLUSION: excluded tags move, others are immutable',
      {
        tagMutability: { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest', 'ma*'] },
        tags: [fixed('1.2.3'), latest(), moving('main'), moving('dev')],
        images: [existing(['latest', 'main', 'dev'])],
      },
      { push: ['1.2.3', 'latest', 'main'], unchanged: [], skipped: ['dev'] },
    ],
    [
      'MUTABLE_WITH_EXCLUSION: filters name the immutable tags',
      {
        tagMutability: { mutability: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*'] },
        tags: [fixed('v2.0.0'), floating('v2', '2.0.0', 'major'), latest('2.0.0'), moving('main')],
        images: [existing(['latest', 'main'])],
      },
      { push: ['v2.0.0', 'latest', 'main'], unchanged: [], skipped: ['v2'] },
    ],
    [
      'the same name from two rules is planned once',
      { tags: [fixed('main', 'branch'), moving('main')] },
      { push: ['main'], unchanged: [], skipped: [] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(summary(plan(input))).toEqual(expected);
  });

  test('a moved tag says which image it leaves', () => {
    expect(plan({ tags: [moving('main')], images: [existing(['main'])] }).push).toEqual([
      { tag: moving('main'), replaces: OLD },
    ]);
  });

  test('an immutable tag whose new digest is unknown yet is pushed, to be checked after the build', () => {
    expect(
      plan({ tagMutability: IMMUTABLE, tags: [fixed('1.2.3')], images: [existing(['1.2.3'])], image: {} })
        .push,
    ).toEqual([{ tag: fixed('1.2.3'), replaces: OLD, checkAfterBuild: true }]);
  });

  test.each<[string, TagMutabilitySetting, string]>([
    [
      'IMMUTABLE',
      IMMUTABLE,
      "'main' moves with each build, but the repository's tags are immutable (IMMUTABLE); to let it move, set tag-mutability: IMMUTABLE_WITH_EXCLUSION with tag-mutability-exclusions: main.",
    ],
    [
      'IMMUTABLE_WITH_EXCLUSION',
      { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['latest', 'dev-*'] },
      "'main' moves with each build, but the repository's tags are immutable and no exclusion filter (latest, dev-*) matches it (IMMUTABLE_WITH_EXCLUSION); add 'main' (or a wildcard matching it) to tag-mutability-exclusions to let it move.",
    ],
    [
      'MUTABLE_WITH_EXCLUSION',
      { mutability: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['release-*', 'm*n'] },
      "'main' moves with each build, but the repository keeps tags matching 'm*n' immutable (MUTABLE_WITH_EXCLUSION); remove the filter matching 'main' from tag-mutability-exclusions to let it move.",
    ],
  ])('the skip reason under %s', (_name, tagMutability, reason) => {
    expect(plan({ tagMutability, tags: [moving('main')] }).skipped).toEqual([
      { tag: moving('main'), reason },
    ]);
  });

  test('on-immutable: fail stops on a moving tag, naming it and both fixes', () => {
    expect(
      failure({ tagMutability: IMMUTABLE, onImmutable: 'fail', tags: [fixed('1.2.3'), moving('main')] }),
    ).toBe(
      "Nothing was pushed. Tag 'main' moves with each build, but the repository's tags are immutable (IMMUTABLE). Fix: to let it move, set tag-mutability: IMMUTABLE_WITH_EXCLUSION with tag-mutability-exclusions: main, or set on-immutable: skip to push without it.",
    );
  });

  test('another image under an immutable tag fails before anything is pushed, whatever on-immutable says', () => {
    expect(
      failure({
        tagMutability: IMMUTABLE,
        tags: [fixed('1.2.3'), fixed('sha-abc1234', 'sha')],
        images: [existing(['1.2.3'])],
      }),
    ).toBe(
      "Nothing was pushed. Tag '1.2.3' already holds another image (sha256:bbbbbbbbbbbb) and the repository's tags are immutable (IMMUTABLE). Fix: release under a new version, or delete the old image first if replacing it is intended.",
    );
  });

  test('another config under an immutable tag fails even when the manifest digest is unknown', () => {
    expect(
      failure({
        tagMutability: IMMUTABLE,
        tags: [fixed('1.2.3')],
        images: [existing(['1.2.3'], OLD, OLD_CONFIG)],
        image: { configDigest: NEW_CONFIG },
      }),
    ).toContain("Tag '1.2.3' already holds another image");
  });

  test('every failing tag is named in one error', () => {
    const message = failure({
      tagMutability: { mutability: 'MUTABLE_WITH_EXCLUSION', exclusionFilters: ['v*'] },
      onImmutable: 'fail',
      tags: [fixed('v1.0.0'), floating('v1', '1.0.0', 'major'), moving('main')],
      images: [existing(['v1.0.0'])],
    });
    expect(message).toContain("Tag 'v1.0.0' already holds another image");
    expect(message).toContain("Tag 'v1' moves with each build");
    expect(message).not.toContain("'main'");
  });
});

describe('planTags: forward-only tags', () => {
  const released = (...tags: string[]): ExistingImage[] =>
    tags.map((tag, index) => ({ digest: `sha256:${index}`, tags: [tag] }));

  test('a 1.2.9 hotfix after 1.3.0 moves 1.2 but neither 1 nor latest', () => {
    const result = plan({
      tags: [
        fixed('1.2.9'),
        floating('1.2', '1.2.9', 'minor'),
        floating('1', '1.2.9', 'major'),
        latest('1.2.9'),
      ],
      images: released('1.2.8', '1.3.0', '1.2', '1', 'latest'),
    });
    expect(summary(result)).toEqual({ push: ['1.2.9', '1.2'], unchanged: [], skipped: ['1', 'latest'] });
    expect(result.skipped.map(({ reason }) => reason)).toEqual([
      "'1' stays on 1.3.0: this build is 1.2.9, older than 1.3.0 in the repository, and '1' only moves forward.",
      "'latest' stays on 1.3.0: this build is 1.2.9, older than 1.3.0 in the repository, and 'latest' only moves forward.",
    ]);
  });

  test.each<[string, ResolvedTag[], string[], boolean, ReturnType<typeof summary>]>([
    [
      'a newer release moves everything',
      [floating('1', '1.4.0', 'major'), latest('1.4.0')],
      ['1.3.0'],
      true,
      { push: ['1', 'latest'], unchanged: [], skipped: [] },
    ],
    [
      're-running the newest release moves latest',
      [latest('1.3.0')],
      ['1.3.0', '1.2.0'],
      true,
      { push: ['latest'], unchanged: [], skipped: [] },
    ],
    [
      'v-prefixed tags count as versions',
      [latest('1.2.0')],
      ['v1.3.0'],
      true,
      { push: [], unchanged: [], skipped: ['latest'] },
    ],
    [
      'pre-releases in the repository do not count',
      [latest('1.5.0')],
      ['2.0.0-rc.1', '1.4.0'],
      true,
      { push: ['latest'], unchanged: [], skipped: [] },
    ],
    [
      'a pre-release never moves latest',
      [fixed('2.0.0-rc.1'), latest('2.0.0-rc.1')],
      [],
      true,
      { push: ['2.0.0-rc.1'], unchanged: [], skipped: ['latest'] },
    ],
    [
      'a pre-release never moves a floating tag',
      [floating('2', '2.0.0-rc.1', 'major')],
      [],
      true,
      { push: [], unchanged: [], skipped: ['2'] },
    ],
    [
      'latest set explicitly still never moves backwards',
      [latest('1.0.0')],
      ['2.0.0'],
      false,
      { push: [], unchanged: [], skipped: ['latest'] },
    ],
    [
      'latest set explicitly may take a pre-release',
      [latest('3.0.0-rc.1')],
      ['2.0.0'],
      false,
      { push: ['latest'], unchanged: [], skipped: [] },
    ],
    [
      'floating tags are held back even without latest auto',
      [floating('1', '1.0.0', 'major')],
      ['1.1.0'],
      false,
      { push: [], unchanged: [], skipped: ['1'] },
    ],
    [
      'latest without a version is not held back',
      [latest()],
      ['9.9.9'],
      true,
      { push: ['latest'], unchanged: [], skipped: [] },
    ],
    [
      'a major tag only looks at its own major',
      [floating('1', '1.2.0', 'major')],
      ['2.0.0', '1.1.0'],
      true,
      { push: ['1'], unchanged: [], skipped: [] },
    ],
    [
      'a minor tag only looks at its own minor',
      [floating('1.2', '1.2.1', 'minor')],
      ['1.3.0', '1.2.0'],
      true,
      { push: ['1.2'], unchanged: [], skipped: [] },
    ],
    [
      'other tags are not versions',
      [latest('0.1.0')],
      ['main', 'sha-1234567', '1.2', 'release-9.0.0'],
      true,
      { push: ['latest'], unchanged: [], skipped: [] },
    ],
  ])('%s', (_name, tags, repositoryTags, latestAuto, expected) => {
    expect(summary(plan({ tags, images: released(...repositoryTags), latestAuto }))).toEqual(expected);
  });

  test('the pre-release reason', () => {
    expect(plan({ tags: [latest('2.0.0-rc.1')] }).skipped[0]?.reason).toBe(
      "'latest' is not moved by the pre-release 2.0.0-rc.1; only stable releases move it.",
    );
  });

  test('an older release on an immutable repository: the version reason wins, nothing fails', () => {
    expect(
      summary(
        plan({
          tagMutability: IMMUTABLE,
          onImmutable: 'fail',
          tags: [fixed('1.2.9'), latest('1.2.9')],
          images: released('1.3.0'),
        }),
      ),
    ).toEqual({ push: ['1.2.9'], unchanged: [], skipped: ['latest'] });
  });
});

describe('highestStableVersion', () => {
  test.each<[string, string[], string | undefined]>([
    ['empty repository', [], undefined],
    ['no version tags', ['latest', 'main', '1.2'], undefined],
    ['the newest stable, v prefix dropped', ['1.9.0', 'v1.10.0', '2.0.0-rc.1', 'latest'], '1.10.0'],
  ])('%s', (_name, tags, expected) => {
    expect(highestStableVersion([{ digest: OLD, tags }])).toBe(expected);
  });
});

describe('isSameImage', () => {
  const image: ExistingImage = { digest: OLD, configDigest: OLD_CONFIG, tags: [] };

  test.each<[string, ExistingImage, TagPlanInput['image'], boolean | undefined]>([
    ['configs equal', image, { configDigest: OLD_CONFIG, digest: NEW }, true],
    ['configs differ', image, { configDigest: NEW_CONFIG, digest: OLD }, false],
    [
      'no config on the repository side: digest decides',
      { digest: OLD, tags: [] },
      { configDigest: NEW_CONFIG, digest: OLD },
      true,
    ],
    ['digests differ', { digest: OLD, tags: [] }, { digest: NEW }, false],
    ['nothing known', image, {}, undefined],
    [
      'only the new config known, the repository has none',
      { digest: OLD, tags: [] },
      { configDigest: NEW_CONFIG },
      undefined,
    ],
  ])('%s', (_name, existing, newImage, expected) => {
    expect(isSameImage(existing, newImage)).toBe(expected);
  });
});

describe('parseOnImmutable', () => {
  test.each([
    ['', 'skip'],
    ['skip', 'skip'],
    [' FAIL ', 'fail'],
  ])('%j → %s', (text, expected) => {
    expect(parseOnImmutable(text)).toBe(expected);
  });

  test('rejects anything else', () => {
    expect(() => parseOnImmutable('ignore')).toThrow(
      "Input 'on-immutable': 'ignore' is not valid; use skip (drop moving tags the repository keeps immutable, push the rest) or fail (stop before pushing).",
    );
  });
});
