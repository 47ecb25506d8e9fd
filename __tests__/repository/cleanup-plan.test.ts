import { describe, expect, test } from '@jest/globals';
import { manifestLinks, planCleanup, type ImageFacts } from '../../src/repository/cleanup-plan.js';

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;
const image = (name: string, facts: Partial<ImageFacts> = {}): ImageFacts => ({
  digest: d(name),
  tags: [],
  children: [],
  ...facts,
});

describe('planCleanup', () => {
  test.each<
    [
      string,
      ImageFacts[],
      { remove: string[]; children?: string[]; referrers?: string[]; orphans?: string[] },
    ]
  >([
    ['plain untagged clutter goes', [image('a1'), image('b1', { tags: ['v1'] })], { remove: ['a1'] }],
    [
      'a tagged index keeps its untagged platform manifests',
      [image('i1', { tags: ['v1'], children: [d('c1'), d('c2')] }), image('c1'), image('c2'), image('x1')],
      { remove: ['x1'], children: ['c1', 'c2'] },
    ],
    [
      'a signature of a tagged image stays; one of a deleted image goes as an orphan',
      [
        image('a1', { tags: ['v1'] }),
        image('51', { subject: d('a1') }),
        image('b1'),
        image('52', { subject: d('b1') }),
        image('53', { subject: d('ff') }),
      ],
      { remove: ['b1', '52', '53'], referrers: ['51'], orphans: ['52', '53'] },
    ],
    [
      "a referrer of an index's child, and an attestation index's own children, are kept",
      [
        image('i1', { tags: ['v1'], children: [d('c1')] }),
        image('c1'),
        image('a2', { subject: d('c1'), children: [d('a3')] }),
        image('a3'),
        image('54', { subject: d('a2') }),
      ],
      { remove: [], children: ['c1', 'a3'], referrers: ['a2', '54'] },
    ],
    [
      'an untagged index and its children all go',
      [image('i2', { children: [d('c3')] }), image('c3')],
      { remove: ['i2', 'c3'] },
    ],
    ['nothing tagged, nothing referring: all go', [image('a1'), image('a2')], { remove: ['a1', 'a2'] }],
    ['an empty repository', [], { remove: [] }],
  ])('%s', (_name, images, expected) => {
    const plan = planCleanup(images);
    expect(plan.remove.sort()).toEqual(expected.remove.map(d).sort());
    expect(plan.keptChildren.sort()).toEqual((expected.children ?? []).map(d).sort());
    expect(plan.keptReferrers.sort()).toEqual((expected.referrers ?? []).map(d).sort());
    expect(plan.orphanedReferrers.sort()).toEqual((expected.orphans ?? []).map(d).sort());
  });

  test('a tagged image is never removed, whatever refers to it', () => {
    const plan = planCleanup([
      image('a1', { tags: ['v1'], subject: d('ff') }),
      image('i1', { children: [d('a1')] }),
    ]);
    expect(plan.remove).toEqual([d('i1')]);
  });
});

describe('manifestLinks', () => {
  test.each([
    [
      'an index',
      JSON.stringify({ manifests: [{ digest: d('c1') }, { digest: d('c2') }] }),
      { children: [d('c1'), d('c2')] },
    ],
    [
      'a referrer',
      JSON.stringify({ layers: [], subject: { digest: d('a1') } }),
      { children: [], subject: d('a1') },
    ],
    ['an image manifest', JSON.stringify({ config: {}, layers: [] }), { children: [] }],
    ['not JSON', 'nope', { children: [] }],
    ['missing', undefined, { children: [] }],
  ])('%s', (_name, text, expected) => {
    expect(manifestLinks(text)).toEqual(expected);
  });
});
