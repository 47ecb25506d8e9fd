/** The stable versions a repository already holds, so `latest` never moves to an older release. Pure. */
import semver from 'semver';
import type { ResolvedTag } from '../../image/tags/types.js';
import type { ExistingImage } from './types.js';

export interface RepositoryVersion {
  /** The tag as the repository has it (`v1.3.0`). */
  tag: string;
  version: semver.SemVer;
}

/** Tags in the repository that are plain stable versions (`1.2.3`, `v1.2.3`); pre-releases never count. */
export function stableVersions(images: readonly ExistingImage[]): RepositoryVersion[] {
  const versions: RepositoryVersion[] = [];
  for (const tag of images.flatMap((image) => image.tags)) {
    const version = semver.parse(tag);
    if (version && version.prerelease.length === 0) versions.push({ tag, version });
  }
  return versions;
}

/** The newest stable release in the repository (`1.3.0`), as decideLatest takes it; undefined when none. */
export function highestStableVersion(images: readonly ExistingImage[]): string | undefined {
  return newest(stableVersions(images))?.version.version;
}

/**
 * Why a forward-only tag must stay where it is, or undefined when it may move. `latest` follows the newest
 * stable release, whatever the `latest` setting, as decideLatest rules; `1` follows the newest 1.x.y and
 * `1.2` the newest 1.2.y, so a 1.2.9 hotfix after 1.3.0 moves `1.2` but neither `1` nor `latest`. Under
 * `latest: auto` a pre-release never takes `latest`; asked for explicitly, it may. A tag without a version
 * is not held back: there is nothing to compare.
 */
export function forwardOnlyReason(
  tag: ResolvedTag,
  versions: readonly RepositoryVersion[],
  latestAuto: boolean,
): string | undefined {
  if ((tag.floating === undefined && tag.kind !== 'latest') || tag.version === undefined) return undefined;
  const version = semver.parse(tag.version);
  if (!version) return undefined;
  if (version.prerelease.length > 0 && (tag.floating !== undefined || latestAuto)) {
    return `'${tag.name}' is not moved by the pre-release ${version.version}; only stable releases move it.`;
  }
  const peers = versions.filter(
    ({ version: other }) =>
      tag.floating === undefined ||
      (other.major === version.major && (tag.floating === 'major' || other.minor === version.minor)),
  );
  const ahead = newest(peers);
  if (ahead && semver.lt(version, ahead.version)) {
    return `'${tag.name}' stays on ${ahead.tag}: this build is ${version.version}, older than ${ahead.tag} in the repository, and '${tag.name}' only moves forward.`;
  }
  return undefined;
}

function newest(versions: readonly RepositoryVersion[]): RepositoryVersion | undefined {
  return versions.reduce<RepositoryVersion | undefined>(
    (best, candidate) =>
      best === undefined || semver.gt(candidate.version, best.version) ? candidate : best,
    undefined,
  );
}
