// A corpus of invalid values for every input the action has, run through dist/index.js: each must
// fail with exit code 1 and exactly one `::error::` line naming the input, before any AWS call and
// before anything is written to disk.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { start as startEcrApi } from './support/ecr-api.mjs';
import { formatTable, listFiles } from './support/reliability.mjs';
import { FAKE_CREDENTIALS, createWorkdir, describeStep, findLeaks, runAction } from './support/runner.mjs';

const PWNED = `/tmp/pwned-${randomBytes(6).toString('hex')}`;
const PROXY_SECRET = 'proxy-secret-bad-input';
const ID = '123456789012';
const BASE_INPUTS = { registries: '111111111111', region: 'eu-west-1' };
/** Repository management needs a repository; the settings inputs are checked with it set. */
const REPO = { repository: 'team/app' };
const WITH_EXCLUSION = { ...REPO, 'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION' };
/** A lifecycle policy rule as ECR takes it, for the JSON cases. */
const rule = (rulePriority, selection) => ({
  rulePriority,
  selection: { countType: 'imageCountMoreThan', countNumber: 10, ...selection },
  action: { type: 'expire' },
});
const lifecycleJson = (...rules) => JSON.stringify({ rules });
const repositoryPolicyJson = (action) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: action }],
  });

/**
 * [input, value, options]: `names` is the input (or environment variable) the error must name, when
 * not the input itself; `env` changes the job environment; `inputs` sets other inputs; `policy` marks a
 * policy document ECR would refuse, whose error starts `<input>: ` and then says where in the policy.
 */
const CASES = [
  // region, and the variables that stand in for it
  ['region', 'eu-west'],
  ['region', 'EU-WEST-1'],
  ['region', 'euwest1'],
  ['region', 'eu_west_1'],
  ['region', 'us-east-1a'],
  ['region', 'mars-north-999'],
  ['region', 'eu-west-1,us-east-1'],
  ['region', 'eu-west-1\nus-east-1'],
  ['region', 'https://eu-west-1.amazonaws.com'],
  ['region', `$(touch ${PWNED})`],
  ['region', '', { names: 'AWS_REGION', env: { AWS_REGION: 'Frankfurt' } }],
  [
    'region',
    '',
    { names: 'AWS_DEFAULT_REGION', env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'eu west 1' } },
  ],
  ['region', '', { inputs: { registries: '' }, env: { AWS_REGION: undefined } }],
  // registries: account IDs of every wrong shape
  ['registries', '12345'],
  ['registries', '1234567890123'],
  ['registries', '12345678901a'],
  ['registries', '1234-5678-9012'],
  ['registries', '１２３４５６７８９０１２'],
  ['registries', '111111111111 222222222222'],
  ['registries', '111111111111;222222222222'],
  ['registries', '111111111111, 22222'],
  ['registries', '-111111111111'],
  ['registries', `$(touch ${PWNED})`],
  ['registries', `\`touch ${PWNED}\``],
  ['registries', '111111111111', { inputs: { region: '' }, env: { AWS_REGION: undefined } }],
  // registries: hostnames of every wrong shape
  ['registries', 'ghcr.io'],
  ['registries', 'docker.io/library/alpine'],
  ['registries', 'public.ecr.aws'],
  ['registries', `${ID}.dkr.ecr.eu-west-1.amazonaws.co`],
  ['registries', `${ID}.dkr.ecr.eu-west-1.amazonaws.com.evil.example`],
  ['registries', `evil.example/${ID}.dkr.ecr.eu-west-1.amazonaws.com`],
  ['registries', `${ID}.ecr.eu-west-1.amazonaws.com`],
  ['registries', `${ID}.dkr.ecr.eu-west-1`],
  ['registries', `${ID}.dkr.ecr.mars.amazonaws.com`],
  ['registries', `12345678901.dkr.ecr.eu-west-1.amazonaws.com`],
  ['registries', `${ID}.dkr.ecr.eu-west-1.amazonaws.com:443`],
  ['registries', `https://${ID}.dkr.ecr.eu-west-1.amazonaws.com/team/app`],
  ['registries', `ftp://${ID}.dkr.ecr.eu-west-1.amazonaws.com`],
  ['registries', `user:pass@${ID}.dkr.ecr.eu-west-1.amazonaws.com`],
  ['registries', `*.dkr.ecr.eu-west-1.amazonaws.com`],
  ['registries', `${ID}.dkr.ecr.eu-west-1.amazonaws.com.`],
  ['registries', `${ID}.dkr-ecr.eu-west-1.on.aws.evil.example`],
  // registry-type
  ['registry-type', 'privat'],
  ['registry-type', 'ecr'],
  ['registry-type', 'Public ECR'],
  ['registry-type', 'private,public'],
  ['registry-type', 'true'],
  // docker-config
  ['docker-config', 'dir\nother'],
  ['docker-config', 'dir\rother'],
  // mask-password, skip-logout
  ['mask-password', 'yes'],
  ['mask-password', 'no'],
  ['mask-password', '1'],
  ['mask-password', 'off'],
  ['skip-logout', 'yes'],
  ['skip-logout', '0'],
  ['skip-logout', 'maybe'],
  // http-proxy, and the variables that stand in for it
  ['http-proxy', 'ftp://proxy.example:21'],
  ['http-proxy', 'socks5://127.0.0.1:1080'],
  ['http-proxy', 'http://'],
  ['http-proxy', 'http://proxy.example:99999'],
  ['http-proxy', `http://user:${PROXY_SECRET}@[::1`],
  ['http-proxy', 'http://proxy example:3128'],
  ['http-proxy', 'file:///etc/passwd'],
  [
    'http-proxy',
    '',
    { names: 'HTTPS_PROXY', env: { HTTPS_PROXY: `socks5h://u:${PROXY_SECRET}@127.0.0.1:1` } },
  ],
  ['http-proxy', '', { names: 'HTTP_PROXY', env: { HTTP_PROXY: 'gopher://proxy.example' } }],
  // max-attempts
  ['max-attempts', '0'],
  ['max-attempts', '21'],
  ['max-attempts', '-1'],
  ['max-attempts', '3.5'],
  ['max-attempts', 'five'],
  ['max-attempts', '1e1'],
  ['max-attempts', '0x5'],
  ['max-attempts', '5 attempts'],
  ['max-attempts', '1000000000000000000000'],
  // repository
  ['repository', 'Team/App'],
  ['repository', 'a'],
  ['repository', 'team//app'],
  ['repository', '/team/app'],
  ['repository', 'team/app/'],
  ['repository', `${ID}.dkr.ecr.eu-west-1.amazonaws.com/team/app`],
  ['repository', 'team/app:latest'],
  ['repository', 'team/app@sha256:0123'],
  ['repository', 'team app'],
  ['repository', 'x'.repeat(257)],
  ['repository', 'team/-app'],
  ['repository', `$(touch ${PWNED})`],
  // tags: tag rules
  ['tags', 'type=nope'],
  ['tags', 'sha'],
  ['tags', 'type=sha,length=3'],
  ['tags', 'type=sha,length=65'],
  ['tags', 'type=sha,format=long,length=8'],
  ['tags', 'type=sha,format=medium'],
  ['tags', 'type=raw'],
  ['tags', 'type=semver,pattern=v'],
  ['tags', 'type=semver,match=('],
  ['tags', 'type=upstream'],
  ['tags', 'type=upstream,version=abc'],
  ['tags', 'type=upstream,version=8.0,revision=bad rev'],
  ['tags', 'type=upstream,version=1.2.3,floating=perhaps'],
  ['tags', 'type=raw,value={{nope}}'],
  ['tags', 'type=raw,value={{branch'],
  ['tags', "type=raw,value=x,suffix=-{{date 'QQQQ'}}"],
  ['tags', 'type=ref,event=branch'],
  ['tags', 'type=sha,enable=maybe'],
  ['tags', 'type=sha,type=branch'],
  ['tags', 'type=branch,length=7'],
  ['tags', 'type=sha\ntype=oops'],
  ['tags', 'type=raw,value=日本語'],
  // latest
  ['latest', 'auto,main'],
  ['latest', 'main,true'],
  ['latest', 'feature..x'],
  ['latest', '-main'],
  ['latest', 'main branch'],
  ['latest', 'release/'],
  ['latest', 'a:b'],
  ['latest', `main,$(touch ${PWNED})`],
  // labels
  ['labels', 'no-equals'],
  ['labels', '=value'],
  ['labels', 'bad key=1'],
  ['labels', 'a=1\na=2'],
  ['labels', '-lead=1'],
  ['labels', 'key.=1'],
  ['labels', 'org.example.x=1\njust text'],
  // created
  ['created', 'yesterday'],
  ['created', '2024-13-01T00:00:00Z'],
  ['created', '2024-05-01'],
  ['created', '1e9'],
  ['created', '-1'],
  ['created', '2024-05-01 12:00:00'],
  ['created', '123456789012'],
  ['created', '$(date +%s)'],
  // create-repository, and repository management without a repository or on ECR Public
  ['create-repository', 'yes', { inputs: REPO }],
  ['create-repository', 'true', { names: 'repository' }],
  ['repository', 'Team/App', { inputs: { 'create-repository': 'true' } }],
  ['registry-type', 'public', { inputs: { ...REPO, 'create-repository': 'true' } }],
  // tag-mutability and its exclusion filters
  ['tag-mutability', 'SOMETIMES', { inputs: REPO }],
  ['tag-mutability', 'IMMUTABLE WITH EXCLUSION', { inputs: REPO }],
  ['tag-mutability-exclusions', 'latest', { inputs: { ...REPO, 'tag-mutability': 'IMMUTABLE' } }],
  ['tag-mutability-exclusions', 'latest', { inputs: REPO }],
  ['tag-mutability-exclusions', '', { inputs: WITH_EXCLUSION }],
  ['tag-mutability-exclusions', 'a, b, c, d, e, f', { inputs: WITH_EXCLUSION }],
  ['tag-mutability-exclusions', 'latest, dev/*', { inputs: WITH_EXCLUSION }],
  ['tag-mutability-exclusions', 'latest, dev?', { inputs: WITH_EXCLUSION }],
  ['tag-mutability-exclusions', 'x'.repeat(129), { inputs: WITH_EXCLUSION }],
  // scan-on-push, encryption, kms-key
  ['scan-on-push', 'maybe', { inputs: REPO }],
  ['scan-on-push', 'on', { inputs: REPO }],
  ['encryption', 'XYZ', { inputs: REPO }],
  ['encryption', 'KMS_DSSE', { inputs: REPO }],
  ['kms-key', 'alias/app', { inputs: REPO }],
  ['kms-key', 'alias/app', { inputs: { ...REPO, encryption: 'AES256' } }],
  ['kms-key', 'not-a-key', { inputs: { ...REPO, encryption: 'KMS' } }],
  ['kms-key', 'arn:aws:s3:::bucket/key', { inputs: { ...REPO, encryption: 'KMS' } }],
  // repository-tags
  ['repository-tags', 'team', { inputs: REPO }],
  ['repository-tags', 'team=platform, cost-center', { inputs: REPO }],
  ['repository-tags', 'aws:team=platform', { inputs: REPO }],
  ['repository-tags', 'team=a, team=b', { inputs: REPO }],
  ['repository-tags', 'team=a;b', { inputs: REPO }],
  [
    'repository-tags',
    Array.from({ length: 51 }, (_, i) => `k${i}=v`).join(','),
    { inputs: REPO, label: '51 tags' },
  ],
  // lifecycle-policy: inline JSON, shorthand and files
  ['lifecycle-policy', '{"rules": [', { inputs: REPO, policy: true }],
  [
    'lifecycle-policy',
    lifecycleJson(rule(1, { tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*'] })),
    { inputs: REPO, policy: true, label: 'a pattern with 5 wildcards' },
  ],
  ['lifecycle-policy', 'keep-pattern=a*b*c*d*e*:10', { inputs: REPO, policy: true }],
  [
    'lifecycle-policy',
    lifecycleJson(rule(1, { tagStatus: 'untagged' }), rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'] })),
    { inputs: REPO, policy: true, label: 'two rules with priority 1' },
  ],
  [
    'lifecycle-policy',
    lifecycleJson(rule(1, { tagStatus: 'any' }), rule(2, { tagStatus: 'untagged' })),
    { inputs: REPO, policy: true, label: 'an "any" rule before an untagged one' },
  ],
  ['lifecycle-policy', '{"rules": []}', { inputs: REPO, policy: true }],
  ['lifecycle-policy', 'keep=30, untagged-hours=3', { inputs: REPO }],
  ['lifecycle-policy', 'keep=30, keep-days=7', { inputs: REPO }],
  ['lifecycle-policy', 'keep=0', { inputs: REPO }],
  ['lifecycle-policy', 'keep-prefix=v', { inputs: REPO }],
  ['lifecycle-policy', 'policies/missing-lifecycle.json', { inputs: REPO }],
  // repository-policy
  ['repository-policy', '{"Version": "2012-10-17", "Statement": [', { inputs: REPO, policy: true }],
  [
    'repository-policy',
    repositoryPolicyJson('s3:GetObject'),
    { inputs: REPO, policy: true, label: 'an s3: action' },
  ],
  [
    'repository-policy',
    repositoryPolicyJson([]),
    { inputs: REPO, policy: true, label: 'an empty Action list' },
  ],
  ['repository-policy', 'pull-accounts: 12345', { inputs: REPO }],
  ['repository-policy', 'pull-accounts: 222222222222, me', { inputs: REPO }],
  ['repository-policy', 'pull-accounts:', { inputs: REPO }],
  ['repository-policy', 'policies/missing-policy.json', { inputs: REPO }],
  // on-immutable, cleanup, cleanup-dry-run
  ['on-immutable', 'ignore', { inputs: REPO }],
  ['on-immutable', 'skip,fail', { inputs: REPO }],
  ['cleanup', 'all', { inputs: REPO }],
  ['cleanup', 'untagged,tagged', { inputs: REPO }],
  ['cleanup-dry-run', 'yes', { inputs: { ...REPO, cleanup: 'untagged' } }],
  // build and push: checked with the other inputs, before docker or AWS is asked anything
  ['build', 'yes', { inputs: REPO }],
  ['build', 'true', { names: 'repository' }],
  ['build', 'true', { inputs: REPO, names: 'file', label: 'true, with no Dockerfile in the context' }],
  ['source-image', '-evil', { inputs: REPO }],
  ['source-image', 'app:ci', { inputs: { ...REPO, build: 'true' } }],
  ['context', 'no-such-dir', { inputs: { ...REPO, build: 'true' } }],
  ['file', 'docker/Missing.Dockerfile', { inputs: { ...REPO, build: 'true' } }],
  ['target', '--output=type=local,dest=/tmp/x', { inputs: { ...REPO, build: 'true' } }],
  ['build-args', 'NO_VALUE', { inputs: { ...REPO, build: 'true' } }],
  ['build-args', '--network=host', { inputs: { ...REPO, build: 'true' } }],
  ['build-args', 'VERSION=1', { inputs: REPO, label: 'VERSION=1 without build' }],
  ['label-build-args', 'on', { inputs: { ...REPO, build: 'true' } }],
  ['platforms', 'linux', { inputs: { ...REPO, build: 'true' } }],
  ['cache', 'gha', { inputs: { ...REPO, build: 'true' } }],
  ['provenance', 'mode max', { inputs: { ...REPO, build: 'true' } }],
  ['builder', '--builder=evil', { inputs: { ...REPO, build: 'true' } }],
  ['builder', 'my builder', { inputs: { ...REPO, build: 'true' } }],
  ['sbom', 'maybe', { inputs: { ...REPO, build: 'true' } }],
  ['lambda', 'maybe', { inputs: { ...REPO, build: 'true' } }],
  ['push-by-digest', 'maybe', { inputs: { ...REPO, build: 'true' } }],
  ['merge-digests', 'sha256:abc', { inputs: REPO }],
  ['skip-existing', 'maybe', { inputs: { ...REPO, build: 'true' } }],
  ['wait-for-replication', 'soon', { inputs: { ...REPO, build: 'true' } }],
  ['scan-fail-on', 'SEVERE', { inputs: { ...REPO, build: 'true' } }],
  ['scan-ignore', 'not a cve', { inputs: { ...REPO, build: 'true', 'scan-fail-on': 'HIGH' } }],
  ['scan-timeout', '5', { inputs: { ...REPO, build: 'true', 'scan-fail-on': 'HIGH' } }],
  ['load', 'sometimes', { inputs: { ...REPO, build: 'true' } }],
  ['no-cache', 'sometimes', { inputs: { ...REPO, build: 'true' } }],
  ['pull', 'always', { inputs: { ...REPO, build: 'true' } }],
  ['network', '--privileged', { inputs: { ...REPO, build: 'true' } }],
  ['add-hosts', 'db', { inputs: { ...REPO, build: 'true' } }],
  ['shm-size', 'lots', { inputs: { ...REPO, build: 'true' } }],
  ['ulimit', 'nofile', { inputs: { ...REPO, build: 'true' } }],
  ['allow', 'everything', { inputs: { ...REPO, build: 'true' } }],
  ['build-contexts', 'noequals', { inputs: { ...REPO, build: 'true' } }],
  ['ssh', '--evil', { inputs: { ...REPO, build: 'true' } }],
  ['annotations', '=value', { inputs: { ...REPO, build: 'true' } }],
  ['secret-files', 'id-only', { inputs: { ...REPO, build: 'true' } }],
  ['secret-envs', 'X=a b', { inputs: { ...REPO, build: 'true' } }],
  ['push', 'maybe', { inputs: { ...REPO, build: 'true' } }],
  ['secrets', 'id=npm,file=/etc/passwd', { inputs: { ...REPO, build: 'true' } }],
];

const rejected = new Map();

after(() => {
  const rows = [...rejected.entries()].map(([input, count]) => [input, count]);
  rows.push(['total', CASES.length]);
  console.log(
    `\n${formatTable(`Bad input corpus: ${CASES.length} invalid values rejected`, ['input', 'values'], rows)}\n`,
  );
});

function label(input, value, options) {
  const shown =
    options?.label ??
    (value === ''
      ? `empty, with ${JSON.stringify({ ...options?.inputs, ...options?.env })}`
      : JSON.stringify(value));
  return `${input}: ${shown.length > 70 ? `${shown.slice(0, 67)}...` : shown}`;
}

describe(`bad input corpus (${CASES.length} values)`, { concurrency: 4 }, () => {
  for (const [input, value, options = {}] of CASES) {
    test(label(input, value, options), async (t) => {
      const api = await startEcrApi();
      const workdir = await createWorkdir();
      t.after(async () => {
        await api.close();
        await workdir.remove();
      });
      const main = await runAction({
        workdir,
        api,
        env: options.env ?? {},
        inputs: { ...BASE_INPUTS, [input]: value, ...options.inputs },
      });
      const names = options.names ?? input;
      assert.equal(main.code, 1, describeStep(main));
      const errorLines = main.stdout.split('\n').filter((line) => line.startsWith('::error'));
      assert.equal(errorLines.length, 1, `exactly one ::error:: line\n${describeStep(main)}`);
      assert.equal(main.errors.length, 1);
      assert.ok(
        main.errors[0].startsWith(options.policy ? `${names}: ` : `Input '${names}': `),
        `the error names '${names}': ${main.errors[0]}`,
      );
      assert.equal(api.calls.length, 0, 'no call to the AWS API');
      assert.equal(existsSync(path.join(workdir.home, '.docker')), false, 'no docker config dir');
      assert.deepEqual(await listFiles(workdir.runnerTemp), [], 'nothing in RUNNER_TEMP');
      assert.deepEqual(await listFiles(workdir.workspace), [], 'nothing in the workspace');
      assert.deepEqual(Object.keys(main.outputs), [], 'no outputs');
      assert.deepEqual(
        findLeaks([main], [PROXY_SECRET, FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY]),
        [],
        'no password in the error',
      );
      assert.equal(existsSync(PWNED), false, `${PWNED} was created`);
      rejected.set(names, (rejected.get(names) ?? 0) + 1);
    });
  }
});
