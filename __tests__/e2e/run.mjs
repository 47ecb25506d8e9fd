// `npm run test:e2e`: checks once what every end-to-end file needs (Node 24 for the bundled action,
// Docker and docker-registry, root to start the daemons the suite owns), says in one line per missing
// piece what to do, and only then runs the suite with `node --test`. Without it, a missing Node 24 or
// docker failed or skipped each of the ~450 tests with the same sentence.
//
//   node __tests__/e2e/run.mjs [file ...]     (no file: the whole suite, one file at a time)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveNode24 } from './support/runner.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function found(command) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { timeout: 10_000 }).status === 0;
}

function dockerAnswers(host) {
  const env = { ...process.env };
  if (host) env.DOCKER_HOST = host;
  else delete env.DOCKER_HOST;
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeout: 20_000 });
  return probe.status === 0;
}

/** What is missing, each with its fix; empty when the suite can run. */
export function missingPrerequisites() {
  const missing = [];
  try {
    resolveNode24();
  } catch (error) {
    missing.push(error instanceof Error ? error.message : String(error));
  }
  if (!found('docker') || !found('dockerd')) {
    missing.push('Docker is not installed: `apt-get install docker.io` (as root).');
  } else if (!isRoot && !dockerAnswers()) {
    missing.push('No Docker daemon answers and starting one needs root: run as root, or start dockerd.');
  }
  for (const [tool, pkg] of [
    ['docker-registry', 'docker-registry'],
    ['htpasswd', 'apache2-utils'],
  ]) {
    if (!found(tool)) missing.push(`${tool} is not installed: \`apt-get install ${pkg}\` (as root).`);
  }
  if (!isRoot && !dockerAnswers('unix:///run/ecr-push-buildkit/docker.sock')) {
    missing.push(
      'The BuildKit engine for the *.buildx.test.mjs files is not running and installing or starting it ' +
        'needs root: run as root (the helpers install it with .ci/install-buildkit.sh and start it).',
    );
  }
  return missing;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    console.error(`e2e: cannot run the end-to-end suite here:\n${missing.map((m) => `- ${m}`).join('\n')}`);
    process.exit(1);
  }
  const files = process.argv.slice(2);
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`e2e: no such test file: ${file}`);
      process.exit(1);
    }
  }
  const child = spawn(
    process.execPath,
    ['--test', '--test-concurrency=1', ...(files.length > 0 ? files : [here])],
    { stdio: 'inherit' },
  );
  // Ctrl-C and CI's timeout reach node --test, which ends its test files itself.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
