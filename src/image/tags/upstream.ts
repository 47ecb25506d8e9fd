/**
 * Tags for images that package someone else's software: the upstream version plus the revision of our own
 * packaging, e.g. MySQL 8.0.12 with configuration revision c15 → `8.0.12-c15`, floating `8.0-c15`, `8-c15`.
 * The revision stays on every tag: `8.0` alone would hide which configuration is inside.
 */

/** 1 to 4 dot-separated numbers (upstreams such as 16.2 or 1.2.3.4 are not strict semver), optional v. */
const UPSTREAM_VERSION =
  /^([vV]?)(\d+(?:\.\d+){0,3})(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface UpstreamVersion {
  /** As written, for the exact tag. */
  text: string;
  vPrefix: string;
  /** The dotted numbers as written (`8`, `0`, `12`), so floating tags keep the upstream's spelling. */
  parts: string[];
  prerelease: boolean;
  /**
   * The version as semver for comparisons (`16.2` → `16.2.0`; a fourth number is not compared), so a later
   * check can keep floating tags and `latest` from moving back to an older upstream version.
   */
  semver: string;
}

export function parseUpstreamVersion(text: string): UpstreamVersion | string {
  const match = UPSTREAM_VERSION.exec(text.trim());
  if (!match) {
    return `version '${text}' is not an upstream version; write 1 to 4 numbers such as 8.0.12, optionally with -rc1`;
  }
  const [, vPrefix = '', dotted = '', prerelease = '', build = ''] = match;
  const parts = dotted.split('.');
  const [major = 0, minor = 0, patch = 0] = parts.map(Number);
  return {
    text: text.trim(),
    vPrefix,
    parts,
    prerelease: prerelease !== '',
    semver: `${major}.${minor}.${patch}${prerelease}${build}`,
  };
}

export function checkRevision(revision: string): string | undefined {
  return REVISION.test(revision)
    ? undefined
    : `revision '${revision}' must be letters, digits, '.', '_' or '-' (starting with a letter or digit), such as c15`;
}

export interface UpstreamTag {
  value: string;
  floating?: 'major' | 'minor';
}

/**
 * The exact tag, then (when asked, and only for a final upstream release) the MAJOR.MINOR and MAJOR
 * ones. As with semver, a 0.x version gets no bare-major tag; a floating tag equal to the exact one
 * (`16-c15` for upstream 16) is not repeated.
 */
export function upstreamTags(
  version: UpstreamVersion,
  revision: string | undefined,
  floating: boolean,
): UpstreamTag[] {
  const withRevision = (text: string): string => (revision ? `${text}-${revision}` : text);
  // `+` is illegal in a tag; `_` keeps build metadata from reading as a pre-release (see semver.ts).
  const tags: UpstreamTag[] = [{ value: withRevision(version.text.replace(/\+/g, '_')) }];
  if (!floating || version.prerelease) return tags;
  const [major = '0'] = version.parts;
  if (version.parts.length > 2) {
    tags.push({
      value: withRevision(version.vPrefix + version.parts.slice(0, 2).join('.')),
      floating: 'minor',
    });
  }
  if (version.parts.length > 1 && Number(major) !== 0) {
    tags.push({ value: withRevision(version.vPrefix + major), floating: 'major' });
  }
  return tags;
}
