import { describe, expect, test } from '@jest/globals';
import { ActionError } from '../../../src/shared/errors.js';
import { planTags } from '../../../src/repository/tag-plan/plan-tags.js';
import { settleAfterBuild } from '../../../src/repository/tag-plan/settle.js';
import type { ExistingImage, NewImage, TagPlan } from '../../../src/repository/tag-plan/types.js';
import type { TagMutabilitySetting } from '../../../src/repository/policies/tag-mutability.js';
import type { ResolvedTag } from '../../../src/image/tags/types.js';

const OLD = 'sha256:' + 'b'.repeat(64);
const OTHER = 'sha256:' + 'e'.repeat(64);
const NEW = 'sha256:' + 'a'.repeat(64);
const NEW_CONFIG = 'sha256:' + 'c'.repeat(64);
const OLD_CONFIG = 'sha256:' + 'd'.repeat(64);

const fixed = (name: string): ResolvedTag => ({ name, kind: 'semver', moving: false, rule: 'type=semver' });
const moving = (name: string): ResolvedTag => ({ name, kind: 'branch', moving: true, rule: 'type=ref' });

const IMMUTABLE: TagMutabilitySetting = { mutability: 'IMMUTABLE', exclusionFilters: [] };

/**
 * The plan made before the build, whose digest is not known yet: in an immutable repository, each existing
 * tag is left to check once the image is built.
 */
function planBeforeBuild(tags: ResolvedTag[], images: ExistingImage[]): TagPlan {
  return planTags({
    tags,
    tagMutability: IMMUTABLE,
    images,
    image: {},
    onImmutable: 'skip',
    latestAuto: true,
  });
}

/** `1.2.3` exists (held by OLD) and `1.2.4` is new. */
const PLAN = (): TagPlan =>
  planBeforeBuild([fixed('1.2.3'), fixed('1.2.4')], [{ digest: OLD, tags: ['1.2.3'] }]);

const names = (plan: TagPlan) => ({
  push: plan.push.map(({ tag }) => tag.name),
  unchanged: plan.unchanged.map(({ tag }) => tag.name),
  skipped: plan.skipped.map(({ tag }) => tag.name),
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return (error as Error).message;
  }
  throw new Error('expected settleAfterBuild to fail');
}

describe('settleAfterBuild', () => {
  test('the plan it starts from: the existing immutable tag is open', () => {
    expect(PLAN().push).toEqual([
      { tag: fixed('1.2.3'), replaces: OLD, checkAfterBuild: true },
      { tag: fixed('1.2.4') },
    ]);
  });

  test.each<[string, Map<string, string>, NewImage]>([
    [
      'the same config digest (classic store: the local ID)',
      new Map([[OLD, NEW_CONFIG]]),
      { configDigest: NEW_CONFIG },
    ],
    [
      'the same config digest (buildx metadata)',
      new Map([[OLD, NEW_CONFIG]]),
      { digest: NEW, configDigest: NEW_CONFIG },
    ],
    ['the same manifest digest, no config known', new Map(), { digest: OLD }],
    ['the local ID is the manifest digest (containerd store)', new Map(), { configDigest: OLD }],
    [
      'the local ID is the manifest digest, even with the holder config known',
      new Map([[OLD, OLD_CONFIG]]),
      { configDigest: OLD },
    ],
  ])('%s: the tag is unchanged, nothing to push for it', (_, configs, image) => {
    const settled = settleAfterBuild(PLAN(), configs, image);
    expect(settled.unchanged).toEqual([{ tag: fixed('1.2.3'), digest: OLD }]);
    expect(settled.push).toEqual([{ tag: fixed('1.2.4') }]);
    expect(settled.skipped).toEqual([]);
  });

  test.each<[string, Map<string, string>, NewImage]>([
    ['another config', new Map([[OLD, OLD_CONFIG]]), { configDigest: NEW_CONFIG }],
    ['another manifest digest, no config known', new Map(), { digest: NEW }],
    ['another manifest digest and local ID', new Map(), { digest: NEW, configDigest: NEW_CONFIG }],
  ])('%s: the step fails before any push', (_, configs, image) => {
    expect(failure(() => settleAfterBuild(PLAN(), configs, image))).toBe(
      "Nothing was pushed. Tag '1.2.3' is immutable and already holds another image (sha256:bbbbbbbbbbbb), " +
        'not the one just built. Fix: release under a new tag, or delete the old image if replacing it is intended.',
    );
  });

  test('every tag holding another image is named, and only those', () => {
    const plan = planBeforeBuild(
      [fixed('1.2.3'), fixed('v1.2.3'), fixed('sha-abc1234'), fixed('1.2.4')],
      [
        { digest: OLD, tags: ['1.2.3', 'v1.2.3'] },
        { digest: OTHER, tags: ['sha-abc1234'] },
      ],
    );
    const message = failure(() =>
      settleAfterBuild(
        plan,
        new Map([
          [OLD, OLD_CONFIG],
          [OTHER, NEW_CONFIG],
        ]),
        { configDigest: NEW_CONFIG },
      ),
    );
    expect(message).toMatch(/^Nothing was pushed\. /);
    expect(message).toContain("Tag '1.2.3' is immutable");
    expect(message).toContain("Tag 'v1.2.3' is immutable");
    expect(message).not.toContain('sha-abc1234');
    expect(message).not.toContain('1.2.4');
  });

  test.each<[string, Map<string, string>, NewImage]>([
    ['no digest at all', new Map([[OLD, OLD_CONFIG]]), {}],
    ['a local ID, but no config for the holder', new Map(), { configDigest: NEW_CONFIG }],
  ])('nothing to compare (%s): the tag is skipped with the reason', (_, configs, image) => {
    const settled = settleAfterBuild(PLAN(), configs, image);
    expect(settled.skipped).toEqual([
      {
        tag: fixed('1.2.3'),
        reason:
          "'1.2.3' already exists and is immutable, and the builder gave no digest to compare the new image with: left as it is.",
      },
    ]);
    expect(names(settled)).toEqual({ push: ['1.2.4'], unchanged: [], skipped: ['1.2.3'] });
  });

  test('entries without checkAfterBuild, and the unchanged and skipped ones, are kept as they are', () => {
    const plan: TagPlan = {
      push: [
        { tag: fixed('2.0.0') },
        { tag: moving('main'), replaces: OTHER },
        { tag: fixed('1.2.3'), replaces: OLD, checkAfterBuild: true },
      ],
      unchanged: [{ tag: fixed('1.0.0'), digest: NEW }],
      skipped: [{ tag: moving('latest'), reason: 'held back' }],
    };
    expect(settleAfterBuild(plan, new Map([[OLD, NEW_CONFIG]]), { configDigest: NEW_CONFIG })).toEqual({
      push: [{ tag: fixed('2.0.0') }, { tag: moving('main'), replaces: OTHER }],
      unchanged: [
        { tag: fixed('1.0.0'), digest: NEW },
        { tag: fixed('1.2.3'), digest: OLD },
      ],
      skipped: [{ tag: moving('latest'), reason: 'held back' }],
    });
  });

  test('a plan with nothing open is returned as it was, even for another image', () => {
    const plan = planBeforeBuild([fixed('1.2.4')], [{ digest: OLD, tags: ['1.2.3'] }]);
    expect(settleAfterBuild(plan, new Map(), { digest: NEW })).toEqual(plan);
  });
});
