import { describe, expect, test } from '@jest/globals';
import { parseRemoteUrl, type RemoteRepository } from '../../src/ci-context/index.js';

const WIDGET: RemoteRepository = { webUrl: 'https://github.com/acme/widget', repository: 'acme/widget' };

describe('parseRemoteUrl: a git remote as a web page and owner/name', () => {
  test.each<[string, string | undefined, RemoteRepository | undefined]>([
    ['scp-like ssh', 'git@github.com:acme/widget.git', WIDGET],
    ['scp-like without a user or .git', 'github.com:acme/widget', WIDGET],
    ['ssh:// with a port: the web page is on https', 'ssh://git@github.com:22/acme/widget.git', WIDGET],
    ['git+ssh://', 'git+ssh://git@github.com/acme/widget', WIDGET],
    ['git://', 'git://github.com/acme/widget.git', WIDGET],
    ['https with .git and a trailing slash', 'https://github.com/acme/widget.git/', WIDGET],
    ['https with a token: dropped', 'https://x-access-token:ghs_abc@github.com/acme/widget.git', WIDGET],
    ['https with a user only: dropped', 'https://deploy@github.com/acme/widget', WIDGET],
    ['query and fragment: dropped', 'https://github.com/acme/widget.git?ref=main#readme', WIDGET],
    ['host in upper case', 'https://GitHub.com/acme/widget', WIDGET],
    [
      'http with a port and GitLab subgroups: kept',
      'http://user:pass@gitlab.example.com:8080/group/sub/widget.git',
      { webUrl: 'http://gitlab.example.com:8080/group/sub/widget', repository: 'group/sub/widget' },
    ],
    ['an absolute path', '/srv/git/widget.git', undefined],
    ['a relative path', '../widget', undefined],
    ['file://', 'file:///srv/git/widget.git', undefined],
    ['a Windows path', 'C:\\repos\\widget', undefined],
    ['a host alone', 'https://github.com/', undefined],
    ['an owner alone', 'https://github.com/acme', undefined],
    ['blank', '  ', undefined],
    ['unset', undefined, undefined],
  ])('%s', (_name, remote, expected) => {
    expect(parseRemoteUrl(remote)).toEqual(expected);
  });
});
