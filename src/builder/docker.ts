/**
 * The docker CLI adapter: every command goes through @actions/exec with an argument array (never a shell),
 * with the environment of the step, whose DOCKER_CONFIG holds the login. Build and push output streams to
 * the log as it comes; failures become one line with the cause and the fix.
 */
import * as exec from '@actions/exec';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DigestEntry, ManifestBytes, RegistryReference } from '../registry/manifests.js';
import { ActionError } from '../shared/errors.js';
import { withTempDir } from '../shared/temp-dir.js';
import {
  buildxBuildArgs,
  classicBuildArgs,
  parseBuildxMetadata,
  pushedDigest,
  type BuildRequest,
  type BuildxMetadata,
  type BuildxOutput,
} from './docker-args.js';

export interface BuiltImage extends BuildxMetadata {
  /** The local image ID (`--iidfile`): the config digest in docker's classic image store. */
  imageId: string;
  /** buildx's metadata file as it wrote it (JSON); the `metadata` output. */
  metadata?: string;
  /** A manifest to write over the registry API (a merged index, a promoted image), exact bytes. */
  manifest?: ManifestBytes;
  /** Where a promoted manifest came from: its blobs are copied from there. */
  source?: RegistryReference;
  /** A push by digest: each platform's digest, for the `digests` output. */
  digests?: DigestEntry[];
}

async function docker(args: string[], options: { silent?: boolean; env?: Record<string, string> } = {}) {
  try {
    return await exec.getExecOutput('docker', args, {
      ignoreReturnCode: true,
      silent: options.silent ?? false,
      ...(options.env ? { env: { ...stringEnv(process.env), ...options.env } } : {}),
    });
  } catch (error) {
    // @actions/exec throws when the program is not on PATH.
    throw new ActionError(
      `The docker CLI could not be run (${error instanceof Error ? error.message : String(error)}): ` +
        `install Docker on the runner, or run this step on a runner that has it (GitHub's ubuntu runners do).`,
    );
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : [[key, value]])),
  );
}

/**
 * With the buildx plugin installed (GitHub's runners), `docker build` is an alias of `docker buildx build`.
 * `builder: docker` promises the classic builder (one local image, then `docker push` per tag), so its
 * build asks for it.
 */
const CLASSIC_BUILDER_ENV = { DOCKER_BUILDKIT: '0' };

/** Fails with the install fix when there is no docker CLI: before the login, like every builder check. */
export async function assertDockerCli(): Promise<void> {
  await docker(['--version'], { silent: true });
}

/**
 * The line of a failed command that says why. docker writes its reason to stderr and its progress to
 * stdout, so stderr is read first. Without a trailing period: it ends a sentence of ours.
 */
function reasonOf(result: { stdout: string; stderr: string }): string {
  const linesOf = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^(DEPRECATED|Install the buildx|https:\/\/docs\.docker)/.test(line));
  const stderr = linesOf(result.stderr);
  const lines = stderr.length > 0 ? stderr : linesOf(result.stdout);
  const line =
    lines.findLast((text) => /error|denied|invalid|unauthorized|failed/i.test(text)) ?? lines.at(-1);
  return (line ?? '').replace(/\.+$/, '');
}

/**
 * The driver of a buildx builder instance (`docker buildx inspect NAME`), or undefined when buildx has no
 * builder of that name. A `docker` driver builder is a docker context: buildx takes it as `--context`.
 */
export async function buildxBuilderDriver(name?: string): Promise<string | undefined> {
  const result = await docker(['buildx', 'inspect', ...(name === undefined ? [] : [name])], { silent: true });
  if (result.exitCode !== 0) return undefined;
  return /^Driver:\s*(\S+)/m.exec(result.stdout)?.[1] ?? 'unknown';
}

export async function hasBuildx(): Promise<boolean> {
  return (await docker(['buildx', 'version'], { silent: true })).exitCode === 0;
}

/**
 * Whether the daemon keeps images in the containerd store (Docker 29's default, and the only store that
 * holds multi-platform images): there a local image ID is its manifest (or index) digest, not its config's.
 */
export async function usesContainerdStore(): Promise<boolean> {
  const result = await docker(['info', '--format={{json .DriverStatus}}'], { silent: true });
  return result.exitCode === 0 && result.stdout.includes('io.containerd.snapshotter');
}

/** The local image ID of a reference, or undefined when docker has no such image. */
export async function localImageId(reference: string): Promise<string | undefined> {
  const result = await docker(['image', 'inspect', '--format={{.Id}}', reference], { silent: true });
  const id = result.stdout.trim();
  return result.exitCode === 0 && id !== '' ? id : undefined;
}

async function readIfPresent(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return '';
  }
}

/** BuildKit's SBOM generator, an image of its own that the builder pulls from Docker Hub. */
const SBOM_SCANNER = /buildkit-syft-scanner/;
/** A pull that the registry refused: the one build failure the login and IAM can explain. */
const PULL_REFUSED = /denied|unauthorized|authentication required|\b40[13]\b|pull access/i;

/**
 * A failed build. BuildKit pushes inside the build (`--push`), so a failed push is reported as a push,
 * with the push's fix, and only a refused pull gets the FROM-image hint.
 */
function buildFailed(
  command: string,
  result: { exitCode: number; stdout: string; stderr: string },
): ActionError {
  const reason = reasonOf(result);
  const push = /failed to push ([^\s:]+(?::\d+)?\/[^\s:]+(?::[\w][\w.-]*)?): (.*)$/.exec(reason);
  if (push?.[1] !== undefined && push[2] !== undefined) {
    const [, reference, why] = push;
    const host = reference.split('/')[0] ?? reference;
    return new ActionError(`docker push ${reference} failed: ${why}. ${pushFix(why, host)}`);
  }
  const hint = SBOM_SCANNER.test(reason)
    ? " sbom: true runs BuildKit's SBOM scanner, the image docker/buildkit-syft-scanner, which the builder could not pull: let the builder reach Docker Hub, or remove sbom."
    : PULL_REFUSED.test(reason)
      ? " A FROM image in ECR is pulled with this step's login, so a pull that is denied needs ecr:BatchGetImage on that repository."
      : '';
  return new ActionError(
    `${command} failed (exit ${result.exitCode}): ${reason}. The build log is above.${hint}`,
  );
}

/** The classic builder: one image, tagged with every reference. */
export async function buildClassic(request: BuildRequest): Promise<BuiltImage> {
  return withTempDir('ecr-push-build-', async (dir) => {
    const iidFile = path.join(dir, 'iid');
    const result = await docker(classicBuildArgs(request, iidFile), { env: CLASSIC_BUILDER_ENV });
    if (result.exitCode !== 0) throw buildFailed('docker build', result);
    const imageId = await readIfPresent(iidFile);
    if (imageId === '') throw new ActionError('docker build succeeded but wrote no image ID (--iidfile).');
    return { imageId };
  });
}

/** `docker buildx build`; with `push`, the image reaches every registry in this one command. */
export async function buildWithBuildx(
  request: BuildRequest,
  output: BuildxOutput['output'],
  layoutDir?: string,
): Promise<BuiltImage> {
  return withTempDir('ecr-push-build-', async (dir) => {
    const files = {
      iidFile: path.join(dir, 'iid'),
      metadataFile: path.join(dir, 'metadata.json'),
      ...(layoutDir === undefined ? {} : { layoutDir }),
    };
    const result = await docker(buildxBuildArgs(request, { ...files, output }));
    if (result.exitCode !== 0) throw buildFailed('docker buildx build', result);
    const text = await readIfPresent(files.metadataFile);
    const metadata = parseBuildxMetadata(text);
    return {
      imageId: (await readIfPresent(files.iidFile)) || (metadata.digest ?? ''),
      ...metadata,
      ...(text === '' ? {} : { metadata: text }),
    };
  });
}

export async function tagImage(source: string, reference: string): Promise<void> {
  const result = await docker(['tag', source, reference], { silent: true });
  if (result.exitCode !== 0) {
    throw new ActionError(`docker tag ${source} ${reference} failed: ${reasonOf(result)}.`);
  }
}

function pushFix(reason: string, host: string): string {
  if (/no basic auth|unauthorized|authentication required|token has expired|\b401\b/i.test(reason)) {
    return `docker has no valid login for ${host}: was DOCKER_CONFIG changed after this step logged in, or did the 12-hour token expire?`;
  }
  if (/immutable|already exists/i.test(reason)) {
    return 'the repository keeps this tag immutable and it holds another image: release under a new tag.';
  }
  if (/denied|not authorized|AccessDenied/i.test(reason)) {
    return 'the AWS identity may not push here: it needs ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage and ecr:BatchCheckLayerAvailability (see the iam-policy output).';
  }
  if (/name unknown|does not exist/i.test(reason)) {
    return "the repository does not exist in this registry: set 'create-repository: true' or create it first.";
  }
  if (/connection refused|no such host|i\/o timeout|connection reset|\bEOF\b/i.test(reason)) {
    return `the registry ${host} could not be reached from the docker daemon: check the runner's network, and the daemon's proxy settings (dockerd does not read this step's HTTPS_PROXY).`;
  }
  return 'see the push log above.';
}

/** Pushes one reference; returns the manifest digest the registry stored. */
export async function pushImage(reference: string): Promise<string> {
  const result = await docker(['push', reference]);
  if (result.exitCode !== 0) {
    const reason = reasonOf(result);
    const host = reference.split('/')[0] ?? reference;
    throw new ActionError(`docker push ${reference} failed: ${reason}. ${pushFix(reason, host)}`);
  }
  const digest = pushedDigest(result.stdout);
  if (digest === undefined) {
    throw new ActionError(`docker push ${reference} printed no digest; the push may not have completed.`);
  }
  return digest;
}

/**
 * Saves a local image as an OCI image layout in `dir` (`docker save`, then tar): Docker 25 and later
 * write the layout's index.json and blobs. For push-by-digest on buildx's docker driver, which exports
 * no layout itself.
 */
export async function saveImageLayout(reference: string, dir: string): Promise<void> {
  const tarFile = path.join(dir, 'image.tar');
  const layout = path.join(dir, 'layout');
  const saved = await docker(['save', `--output=${tarFile}`, reference], { silent: true });
  if (saved.exitCode !== 0) throw new ActionError(`docker save ${reference} failed: ${reasonOf(saved)}.`);
  await fs.mkdir(layout);
  try {
    await exec.getExecOutput('tar', ['-x', '-f', tarFile, '-C', layout], { silent: true });
  } catch (error) {
    throw new ActionError(
      `tar could not unpack the saved image: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  await fs.rm(tarFile, { force: true });
  if (!(await fs.stat(path.join(layout, 'index.json')).catch(() => undefined))) {
    throw new ActionError(
      "push-by-digest on buildx's docker driver needs Docker 25 or later (its docker save writes an OCI layout): upgrade Docker, or use a docker-container builder (docker/setup-buildx-action).",
    );
  }
}

export async function removeLocalImage(reference: string): Promise<void> {
  await docker(['image', 'rm', reference], { silent: true });
}
