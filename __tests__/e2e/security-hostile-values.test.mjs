// Branch names, git tags, pull request refs, repository descriptions and labels are written by
// whoever pushes: command substitutions, backticks, `;`, `|`, newlines, workflow commands and
// `--options` in them must come out as inert tag text or label values, never run, never inject.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { start as startEcrApi } from './support/ecr-api.mjs';
import { formatTable } from './support/reliability.mjs';
import { FAKE_CREDENTIALS, createWorkdir, describeStep, findLeaks, runAction } from './support/runner.mjs';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const REPOSITORY = 'team/app';
const PWNED = `pwned-${randomBytes(6).toString('hex')}`;
const HEAD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';

/** A file a payload would create if anything ran it: checked for after every step. */
const pwned = (n) => path.join(os.tmpdir(), `${PWNED}-${n}`);

const OUTPUT_NAMES = new Set([
  'repository-uri',
  'repository-arn',
  'repository-created',
  'iam-policy',
  'registry',
  'registries',
  'docker-config',
  'expires-at',
  'tags',
  'tag-names',
  'labels',
  'version',
  'json',
  'build-args',
  `docker_username_${HOST.replace(/[^a-zA-Z0-9_]+/g, '_')}`,
]);

const HOSTILE_NAMES = [
  `$(touch ${pwned(1)})`,
  `\`touch ${pwned(2)}\``,
  `x;touch ${pwned(3)};y`,
  `x|touch ${pwned(4)}`,
  `x&&touch ${pwned(5)}`,
  `'; touch ${pwned(6)}; echo '`,
  `feature/$(touch ${pwned(7)})`,
  '--force',
  '-rf',
  '--output=/etc/passwd',
  `main\n::add-path::/tmp/${PWNED}-path\n::set-env name=EVIL::1`,
  'x\nregistry=evil.example\ntags=evil',
  '${IFS}$HOME%0A::warning::x',
  '.hidden/../..',
  '🙂/über-ü',
  `${'a'.repeat(150)}$(touch ${pwned(8)})${'b'.repeat(150)}`,
];

const LABEL_VALUES = [
  ['org.example.subst', `$(touch ${pwned(1)})`],
  ['org.example.backtick', `\`touch ${pwned(2)}\``],
  ['org.example.chain', `a; touch ${pwned(3)} | cat && rm -rf ~`],
  ['org.example.option', '--privileged --network=host -v /:/host'],
  ['org.example.command', '::add-mask::not-a-secret'],
  ['org.example.quote', `"' \\" $HOME \${HOME}`],
];

const results = [];
after(async () => {
  const left = (await readdir(os.tmpdir())).filter((name) => name.startsWith(PWNED));
  const rows = [
    ['steps run', results.length],
    ['hostile values fed in', HOSTILE_NAMES.length * 3 + LABEL_VALUES.length],
    [
      'tags checked against the tag grammar',
      results.reduce((n, r) => n + r.outputs['tag-names'].split('\n').length, 0),
    ],
    ['payload files created', left.length],
  ];
  console.log(`\n${formatTable('Hostile values', ['check', 'result'], rows)}\n`);
});

async function runWith(t, { env = {}, inputs = {}, event } = {}) {
  const api = await startEcrApi({ accounts: [{ accountId: ACCOUNT, region: REGION }] });
  const workdir = await createWorkdir();
  t.after(async () => {
    await api.close();
    await workdir.remove();
  });
  if (event) await writeFile(workdir.eventPath, JSON.stringify(event));
  const main = await runAction({
    workdir,
    api,
    env,
    inputs: {
      registries: ACCOUNT,
      region: REGION,
      repository: REPOSITORY,
      'create-repository': 'true',
      ...inputs,
    },
  });
  results.push(main);
  assert.equal(main.code, 0, describeStep(main));
  assertInert(main, api);
  return main;
}

/** Valid tags only, no injected output, env, path or workflow command, nothing executed. */
function assertInert(main, api) {
  const names = main.outputs['tag-names'].split('\n');
  assert.ok(names.length > 0 && names[0] !== '', 'at least one tag');
  for (const name of names) assert.match(name, TAG, `tag ${JSON.stringify(name)}`);
  assert.deepEqual(
    main.outputs.tags.split('\n'),
    names.map((name) => `${HOST}/${REPOSITORY}:${name}`),
  );
  assert.deepEqual(JSON.parse(main.outputs.json)['tag-names'], names);
  assert.doesNotMatch(main.outputs.version, /[\r\n]|^-/, 'version is one line and no option');
  assert.equal(main.outputs.registry, HOST);
  const unexpected = Object.keys(main.outputs).filter((name) => !OUTPUT_NAMES.has(name));
  assert.deepEqual(unexpected, [], 'no injected output');
  assert.deepEqual(main.exportedEnv, {}, 'no injected env');
  assert.deepEqual(main.addedPath, [], 'no injected path');
  const commands = [...new Set(main.commands.map((c) => c.command))].sort();
  assert.ok(
    commands.every((c) => ['add-mask', 'endgroup', 'group'].includes(c)),
    `only group and add-mask commands: ${commands.join(', ')}`,
  );
  assert.deepEqual(
    main.masks.filter((mask) => !api.issuedSecrets().includes(mask)),
    [],
    'no injected add-mask',
  );
  for (const line of main.outputs.labels.split('\n')) assert.match(line, /^[A-Za-z0-9][A-Za-z0-9._/-]*=/);
  for (let n = 1; n <= 8; n++) assert.ok(!existsSync(pwned(n)), `${pwned(n)} was created`);
  assert.deepEqual(findLeaks([main], [...api.issuedSecrets(), FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]), []);
}

const BRANCH_RULES = [
  'type=branch',
  'type=raw,value={{branch}}-{{sha}}',
  'type=raw,value=build,prefix={{branch}}-,suffix=-{{run_number}}',
  'type=sha',
].join('\n');

describe('hostile branch names (push)', { concurrency: 4 }, () => {
  for (const branch of HOSTILE_NAMES) {
    test(JSON.stringify(branch).slice(0, 60), async (t) => {
      const main = await runWith(t, {
        env: { GITHUB_REF: `refs/heads/${branch}`, GITHUB_REF_NAME: branch, GITHUB_REF_TYPE: 'branch' },
        inputs: { tags: BRANCH_RULES, latest: 'main,master' },
      });
      assert.ok(main.outputs['tag-names'].split('\n').length >= 3, main.outputs['tag-names']);
    });
  }
});

describe('hostile git tags (tag push)', { concurrency: 4 }, () => {
  for (const tag of HOSTILE_NAMES.map((name) => `v1.2.3${name}`)) {
    test(JSON.stringify(tag).slice(0, 60), async (t) => {
      await runWith(t, {
        env: { GITHUB_REF: `refs/tags/${tag}`, GITHUB_REF_NAME: tag, GITHUB_REF_TYPE: 'tag' },
        inputs: {
          tags: 'type=tag\ntype=semver,pattern={{version}}\ntype=raw,value=rel-{{tag}}\ntype=sha',
          latest: 'auto',
        },
      });
    });
  }
});

describe('hostile pull request refs (event payload)', { concurrency: 4 }, () => {
  for (const ref of HOSTILE_NAMES) {
    test(JSON.stringify(ref).slice(0, 60), async (t) => {
      const main = await runWith(t, {
        env: {
          GITHUB_EVENT_NAME: 'pull_request',
          GITHUB_REF: 'refs/pull/17/merge',
          GITHUB_REF_NAME: '17/merge',
          GITHUB_HEAD_REF: undefined,
          GITHUB_BASE_REF: undefined,
        },
        event: {
          number: 17,
          pull_request: {
            number: 17,
            head: { ref, sha: HEAD_SHA },
            base: { ref: `main${ref}`, sha: '0123456789abcdef0123456789abcdef01234567' },
          },
          repository: { default_branch: 'main', full_name: 'e2e/app' },
        },
        inputs: { tags: 'type=pr\ntype=raw,value={{branch}}\ntype=raw,value=into-{{base_ref}}\ntype=sha' },
      });
      assert.ok(main.outputs['tag-names'].split('\n').includes('pr-17'));
      assert.ok(main.outputs['tag-names'].split('\n').includes(`sha-${HEAD_SHA.slice(0, 7)}`));
    });
  }
});

test('hostile label values and repository description come out as plain values', async (t) => {
  const main = await runWith(t, {
    event: {
      repository: {
        full_name: 'e2e/app',
        description: `Widgets\n::set-output name=registry::evil\n$(touch ${pwned(4)})`,
        license: { spdx_id: `MIT$(touch ${pwned(5)})` },
      },
    },
    inputs: { labels: LABEL_VALUES.map(([key, value]) => `${key}=${value}`).join('\n') },
  });
  const labels = Object.fromEntries(
    main.outputs.labels
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  for (const [key, value] of LABEL_VALUES) assert.equal(labels[key], value, `${key} kept verbatim`);
  assert.equal(
    labels['org.opencontainers.image.description'],
    `Widgets ::set-output name=registry::evil $(touch ${pwned(4)})`,
    'the description is flattened to one line',
  );
  assert.deepEqual(JSON.parse(main.outputs.json).labels, labels);
});
