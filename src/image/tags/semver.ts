/**
 * Tags from a semantic version: `{{major}}.{{minor}}` style patterns, with the rules users rely on to keep
 * floating tags honest.
 *
 * Build metadata: `+` is not allowed in a tag, and turning it into `-` would make `1.2.3+build.5` read as
 * the pre-release `1.2.3-build.5` (which sorts before 1.2.3). Helm's OCI convention writes it as `_`
 * instead, so `{{version}}` gives `1.2.3_build.5`. Build metadata does not change precedence, so such a
 * version is still a stable release and gets floating tags and `latest`.
 */
import semver, { type SemVer } from 'semver';
import { expandTemplate, usesPlaceholder, type Template } from './template.js';

export const SEMVER_PLACEHOLDERS = ['major', 'minor', 'patch', 'version', 'raw'] as const;

export interface FoundVersion {
  parsed: SemVer;
  /** The text the version was read from, after `match=` took it out of the git tag (`v1.2.3`). */
  raw: string;
}

/**
 * The version in `text` (a git tag or a `value=`): all of it, or with `match` the first group of the first
 * match (the whole match when the regex has no group). A leading `v` or `V` is accepted; anything that is
 * not a full MAJOR.MINOR.PATCH version gives undefined, so such a build simply gets no semver tags.
 */
export function findVersion(text: string, match?: RegExp): FoundVersion | undefined {
  let raw = text.trim();
  if (match) {
    const found = match.exec(raw);
    if (!found) return undefined;
    raw = (found[1] ?? found[0]).trim();
  }
  const parsed = semver.parse(raw.replace(/^[vV]/, ''));
  return parsed ? { parsed, raw } : undefined;
}

export function isStable(version: SemVer): boolean {
  return version.prerelease.length === 0;
}

/** The full version with its build metadata, as semver writes it: `1.2.3+build.5`. */
export function fullVersion(version: SemVer): string {
  return version.build.length > 0 ? `${version.version}+${version.build.join('.')}` : version.version;
}

/** The full version as tag text: `1.2.3`, `1.2.3-rc.1`, `1.2.3_build.5`. */
export function versionTagText(version: SemVer): string {
  return version.build.length > 0 ? `${version.version}_${version.build.join('.')}` : version.version;
}

const EXACT_PATTERN: Template = {
  source: '{{version}}',
  segments: [{ kind: 'placeholder', name: 'version' }],
};

export interface SemverTag {
  value: string;
  /** Set when the tag follows the newest release of a major or minor line and so moves. */
  floating?: 'major' | 'minor';
}

/**
 * The tag `pattern` gives for `found`, or undefined when it gives none. A pre-release gets only its exact
 * version, whatever the pattern: `{{major}}.{{minor}}` must not point at a release candidate. A 0.x
 * version gives no `{{major}}`-only tag: `0` would claim the whole unstable 0.x line is one compatible
 * series, which semver says it is not; `{{major}}.{{minor}}` (`0.4`) is still made.
 */
export function semverTag(pattern: Template, found: FoundVersion): SemverTag | undefined {
  const version = found.parsed;
  const effective =
    isStable(version) || usesPlaceholder(pattern, ['version', 'raw']) ? pattern : EXACT_PATTERN;
  const floating = floatingPart(pattern, version);
  if (floating === 'major' && version.major === 0) return undefined;
  const value = expandTemplate(effective, {
    value: (name) => {
      switch (name) {
        case 'major':
          return String(version.major);
        case 'minor':
          return String(version.minor);
        case 'patch':
          return String(version.patch);
        case 'version':
          return versionTagText(version);
        default:
          return found.raw.replace(/\+/g, '_');
      }
    },
    date: () => undefined,
  });
  if (value === undefined) return undefined;
  return floating ? { value, floating } : { value };
}

/** A stable version's pattern without {{patch}}, {{version}} or {{raw}} names a whole line of releases. */
function floatingPart(pattern: Template, version: SemVer): 'major' | 'minor' | undefined {
  if (!isStable(version) || usesPlaceholder(pattern, ['patch', 'version', 'raw'])) return undefined;
  return usesPlaceholder(pattern, ['minor']) ? 'minor' : 'major';
}
