import { describe, expect, test } from '@jest/globals';
import {
  buildxOnlyOptions,
  buildxOptionArgs,
  commonOptionArgs,
  parseBuildOptions,
} from '../../src/builder/build-options.js';
import { InputError } from '../../src/shared/errors.js';

const parse = (values: Record<string, string>) => parseBuildOptions((name) => values[name] ?? '');

describe("docker/build-push-action's inputs, same names and meanings", () => {
  test.each<[string, Record<string, string>, string[], string[]]>([
    ['no-cache', { 'no-cache': 'true' }, ['--no-cache'], []],
    ['pull', { pull: 'true' }, ['--pull'], []],
    ['network', { network: 'host' }, ['--network=host'], []],
    [
      'add-hosts',
      { 'add-hosts': 'db:10.0.0.5, cache=10.0.0.6' },
      ['--add-host=db:10.0.0.5', '--add-host=cache=10.0.0.6'],
      [],
    ],
    ['shm-size', { 'shm-size': '2g' }, ['--shm-size=2g'], []],
    [
      'ulimit',
      { ulimit: 'nofile=1024:2048\nnproc=512' },
      ['--ulimit=nofile=1024:2048', '--ulimit=nproc=512'],
      [],
    ],
    [
      'build-contexts',
      { 'build-contexts': 'alpine=docker-image://alpine:3\nsrc=../src' },
      [],
      ['--build-context=alpine=docker-image://alpine:3', '--build-context=src=../src'],
    ],
    [
      'ssh',
      { ssh: 'default\ngithub=/home/runner/.ssh/id' },
      [],
      ['--ssh=default', '--ssh=github=/home/runner/.ssh/id'],
    ],
    [
      'annotations',
      { annotations: 'org.opencontainers.image.vendor=Acme\nindex:com.example.a=b c' },
      [],
      ['--annotation=org.opencontainers.image.vendor=Acme', '--annotation=index:com.example.a=b c'],
    ],
    [
      'allow',
      { allow: 'network.host,security.insecure' },
      [],
      ['--allow=network.host', '--allow=security.insecure'],
    ],
  ])('%s', (_name, values, common, buildx) => {
    const options = parse(values);
    expect(commonOptionArgs(options)).toEqual(common);
    expect(buildxOptionArgs(options)).toEqual(buildx);
  });

  test('nothing set: no flag, nothing buildx-only', () => {
    const options = parse({});
    expect([...commonOptionArgs(options), ...buildxOptionArgs(options)]).toEqual([]);
    expect(buildxOnlyOptions(options)).toEqual([]);
  });

  test('secret-files and secret-envs become buildx secrets in its own form', () => {
    const options = parse({
      'secret-files': 'npmrc=/home/runner/.npmrc',
      'secret-envs': 'token=GITHUB_TOKEN',
    });
    expect(options.secrets).toEqual([
      { raw: 'id=npmrc,src=/home/runner/.npmrc', id: 'npmrc' },
      { raw: 'id=token,env=GITHUB_TOKEN', id: 'token' },
    ]);
    expect(buildxOnlyOptions(options)).toEqual(['secret-files', 'secret-envs']);
  });

  test('the buildx-only ones are named', () => {
    const options = parse({
      load: 'true',
      'build-contexts': 'a=b',
      ssh: 'default',
      annotations: 'k=v',
      allow: 'network.host',
      'no-cache': 'true',
      network: 'none',
    });
    expect(buildxOnlyOptions(options)).toEqual(['load', 'build-contexts', 'ssh', 'annotations', 'allow']);
  });

  test.each<[string, string]>([
    ['network', '--privileged'],
    ['network', 'host none'],
    ['shm-size', 'big'],
    ['add-hosts', 'db'],
    ['add-hosts', '--add-host=evil:1.1.1.1'],
    ['ulimit', 'nofile'],
    ['build-contexts', 'no-equals'],
    ['ssh', 'id=/a b'],
    ['ssh', '--evil'],
    ['build-contexts', '--x=y'],
    ['annotations', '=value'],
    ['allow', 'everything'],
    ['secret-files', 'npmrc'],
    ['secret-envs', 'token=A,B'],
    ['no-cache', 'yes'],
    ['load', 'maybe'],
  ])('%s: %j is refused, naming the input', (name, value) => {
    let error: unknown;
    try {
      parse({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(name);
  });
});
