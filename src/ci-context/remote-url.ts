/**
 * A git remote (https, ssh, scp-like or git://) as the repository's web page and owner/name. Only the host,
 * port and path are carried over, so a token in `https://user:token@host/...` never reaches a label.
 */

export interface RemoteRepository {
  /** e.g. https://github.com/owner/name */
  webUrl: string;
  /** owner/name; group/subgroup/name on GitLab. */
  repository: string;
}

/** git@host:owner/name.git: a user, a host, a colon and a path that is not absolute. */
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(\S+)$/;
const WEB_SCHEMES = new Set(['http:', 'https:']);
const GIT_SCHEMES = new Set(['ssh:', 'git:', 'git+ssh:', 'ssh+git:']);

export function parseRemoteUrl(remote: string | undefined): RemoteRepository | undefined {
  const text = remote?.trim() ?? '';
  if (text === '') return undefined;

  if (!text.includes('://')) {
    const scp = SCP_LIKE.exec(text);
    // A one-letter "host" is a Windows drive (C:path), not a server.
    if (!scp?.[1] || !scp[2] || scp[1].length === 1) return undefined;
    return fromParts('https:', scp[1], scp[2]);
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (WEB_SCHEMES.has(url.protocol)) return fromParts(url.protocol, url.host, url.pathname);
  // An ssh or git port is not the web server's: the page is on the default https port.
  if (GIT_SCHEMES.has(url.protocol)) return fromParts('https:', url.hostname, url.pathname);
  return undefined;
}

function fromParts(scheme: string, host: string, path: string): RemoteRepository | undefined {
  const repository = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  // owner/name at least: a bare host or a single segment is no repository page.
  if (host === '' || !/^[^/]+(?:\/[^/]+)+$/.test(repository)) return undefined;
  return { webUrl: `${scheme}//${host.toLowerCase()}/${repository}`, repository };
}
