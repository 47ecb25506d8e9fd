/**
 * Repository management for every registry of the login: make sure the repository exists with the wanted
 * settings and policies, then plan the tags against what it already holds, before anything is pushed.
 */
import * as core from '@actions/core';
import { ecrClientFor } from '../aws/ecr-client.js';
import { waitForReplication } from '../aws/replication.js';
import { scanFindings } from '../aws/scan.js';
import { describeVerdict, judgeFindings, type ScanGate, type Verdict } from './scan-gate.js';
import type { PolicyForAction } from '../aws/errors.js';
import { configDigests, INDEX_MEDIA_TYPES, listImages, pushedManifestType } from '../aws/images.js';
import { ActionError } from '../shared/errors.js';
import { ensureRepository, type RepositoryDescription, type RepositoryTarget } from '../aws/repository.js';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { syncLifecyclePolicy, syncRepositoryPolicy, type PolicySyncResult } from '../aws/policies-sync.js';
import type { RepositoryManagement } from './management.js';
import { planTags, settleAfterBuild, type NewImage, type TagPlan } from './tag-plan/index.js';
import type { RegistrySpec } from '../login/registries.js';
import type { ResolvedTag } from '../image/tags/types.js';

export interface RegistryTarget {
  spec: RegistrySpec;
  /** The registry hostname the login wrote (and the outputs name). */
  host: string;
}

export interface RepositoryOutcome {
  spec: RegistrySpec;
  host: string;
  region: string;
  repository: RepositoryDescription;
  created: boolean;
  lifecyclePolicy?: PolicySyncResult;
  repositoryPolicy?: PolicySyncResult;
  plan: TagPlan;
}

export interface RepositoryStepOptions {
  name: string;
  management: RepositoryManagement;
  tags: ResolvedTag[];
  latestAuto: boolean;
  maxAttempts: number;
  proxy?: URL;
  policyFor: PolicyForAction;
}

type ClientOptions = Pick<RepositoryStepOptions, 'maxAttempts' | 'proxy'>;

function clientFor(spec: RegistrySpec, options: ClientOptions) {
  return ecrClientFor(
    spec.region,
    spec.fips,
    { maxAttempts: options.maxAttempts, ...(options.proxy ? { proxy: options.proxy } : {}) },
    process.env,
  );
}

async function manageOne(target: RegistryTarget, options: RepositoryStepOptions): Promise<RepositoryOutcome> {
  const { spec } = target;
  const client = clientFor(spec, options);
  const repositoryTarget = {
    name: options.name,
    ...(spec.accountId ? { registryId: spec.accountId } : {}),
    policyFor: options.policyFor,
  };
  try {
    const ensured = await ensureRepository(client, {
      ...repositoryTarget,
      settings: options.management.settings,
      create: options.management.create,
    });
    for (const notice of ensured.notices) core.warning(`${target.host}/${options.name}: ${notice}`);
    const { lifecyclePolicy, repositoryPolicy } = options.management;
    const outcome: RepositoryOutcome = {
      spec,
      host: target.host,
      region: spec.region,
      repository: ensured.repository,
      created: ensured.created,
      ...(lifecyclePolicy
        ? {
            lifecyclePolicy: await syncLifecyclePolicy(client, {
              ...repositoryTarget,
              text: lifecyclePolicy.text,
            }),
          }
        : {}),
      ...(repositoryPolicy
        ? {
            repositoryPolicy: await syncRepositoryPolicy(client, {
              ...repositoryTarget,
              text: repositoryPolicy.text,
            }),
          }
        : {}),
      plan: { push: [], unchanged: [], skipped: [] },
    };
    // The new image is not built yet: an immutable tag that exists already is checked again after the build.
    outcome.plan = planTags({
      tags: options.tags,
      tagMutability: ensured.repository.tagMutability,
      images: await listImages(client, repositoryTarget),
      image: {},
      onImmutable: options.management.onImmutable,
      latestAuto: options.latestAuto,
    });
    return outcome;
  } finally {
    client.destroy();
  }
}

/** Registries in parallel: each has its own repository, settings and images. */
export async function manageRepositories(
  targets: readonly RegistryTarget[],
  options: RepositoryStepOptions,
): Promise<RepositoryOutcome[]> {
  return Promise.all(targets.map((target) => manageOne(target, options)));
}

/**
 * Once the image is built: the immutable tags that already existed either hold this image (nothing to push)
 * or another one (the step fails before any push). Only those tags' images are fetched (BatchGetImage).
 */
export async function settleOutcomes(
  outcomes: readonly RepositoryOutcome[],
  image: NewImage,
  options: ClientOptions & { name: string; policyFor: PolicyForAction },
): Promise<void> {
  await Promise.all(
    outcomes.map(async (outcome) => {
      const open = outcome.plan.push.flatMap((entry) => (entry.checkAfterBuild && entry.replaces) || []);
      if (open.length === 0) return;
      // A tag that holds the built manifest digest is settled without asking ECR for its config.
      const unknown = open.filter((digest) => digest !== image.digest);
      let configs: ReadonlyMap<string, string> = new Map();
      if (unknown.length > 0) {
        const client = clientFor(outcome.spec, options);
        try {
          configs = await configDigests(client, {
            name: options.name,
            ...(outcome.spec.accountId ? { registryId: outcome.spec.accountId } : {}),
            policyFor: options.policyFor,
            digests: unknown,
          });
        } finally {
          client.destroy();
        }
      }
      outcome.plan = settleAfterBuild(outcome.plan, configs, image);
    }),
  );
}

type RepositoryOptions = ClientOptions & { name: string; policyFor: PolicyForAction };

/**
 * `use` once per registry, in parallel, with a client of its region and the repository as ECR's calls
 * name it there; the client is closed whatever happens.
 */
async function inEveryRegistry<T>(
  outcomes: readonly RepositoryOutcome[],
  options: RepositoryOptions,
  use: (client: ECRClient, target: RepositoryTarget, outcome: RepositoryOutcome) => Promise<T>,
): Promise<T[]> {
  return Promise.all(
    outcomes.map(async (outcome) => {
      const client = clientFor(outcome.spec, options);
      try {
        return await use(
          client,
          {
            name: options.name,
            ...(outcome.spec.accountId ? { registryId: outcome.spec.accountId } : {}),
            policyFor: options.policyFor,
          },
          outcome,
        );
      } finally {
        client.destroy();
      }
    }),
  );
}

/**
 * `lambda: true`: the pushed image must be one image manifest in every registry, read back from ECR (with
 * its read-after-write window allowed for). An index, or a manifest ECR never shows, fails the step.
 */
export async function checkLambdaImages(
  outcomes: readonly RepositoryOutcome[],
  digest: string,
  options: RepositoryOptions,
): Promise<void> {
  await inEveryRegistry(outcomes, options, async (client, target, outcome) => {
    const where = `${outcome.host}/${options.name}@${digest}`;
    const type = await pushedManifestType(client, { ...target, digest });
    if (type === undefined) {
      throw new ActionError(
        `lambda: true, but ${where} could not be read back after the push (ECR kept answering that it has no such image): re-run the job; if it persists, check the repository's lifecycle policy.`,
      );
    }
    if (INDEX_MEDIA_TYPES.includes(type)) {
      throw new ActionError(
        `lambda: true, but ${where} is an image index (${type}), which Lambda cannot run. Fix: build one platform without attestations (no provenance, no sbom, one entry in platforms).`,
      );
    }
    core.info(`${where}: ${type}, an image manifest Lambda can run.`);
  });
}

/**
 * Where the image goes, handed around as one value: the ECR repository, the tags every registry keeps, the
 * registries of the login and, when the repository is managed, each registry's plan.
 */
export interface PushTarget {
  /** The ECR repository name; undefined: the outputs hold bare tag names. */
  repository?: string;
  tags: ResolvedTag[];
  registries: string[];
  outcomes: RepositoryOutcome[];
}

/**
 * The tags every registry keeps: a tag dropped in one registry is left out everywhere, so all hold the same
 * set. Without managed repositories every resolved tag is kept.
 */
export function pushTargetOf(
  repository: string | undefined,
  tags: readonly ResolvedTag[],
  registries: string[],
  outcomes: RepositoryOutcome[],
): PushTarget {
  const skipped = new Set(outcomes.flatMap((outcome) => outcome.plan.skipped.map((entry) => entry.tag.name)));
  return {
    ...(repository === undefined ? {} : { repository }),
    tags: tags.filter((tag) => !skipped.has(tag.name)),
    registries,
    outcomes,
  };
}

export function logOutcome(outcome: RepositoryOutcome): void {
  const where = `${outcome.host}/${outcome.repository.name}`;
  core.info(
    `${where}: ${outcome.created ? 'created' : 'exists'} (${outcome.repository.tagMutability.mutability}).`,
  );
  if (outcome.lifecyclePolicy) core.info(`${where}: lifecycle policy ${outcome.lifecyclePolicy}.`);
  if (outcome.repositoryPolicy) core.info(`${where}: repository policy ${outcome.repositoryPolicy}.`);
  for (const entry of outcome.plan.push) {
    const note = entry.checkAfterBuild
      ? ' (exists and is immutable: a push of a different image will be refused)'
      : entry.replaces
        ? ` (moves from ${entry.replaces})`
        : '';
    core.info(`${where}: push ${entry.tag.name}${note}`);
  }
  for (const entry of outcome.plan.unchanged)
    core.info(`${where}: ${entry.tag.name} already holds this image.`);
  for (const entry of outcome.plan.skipped)
    core.warning(`${where}: skipped ${entry.tag.name}: ${entry.reason}`);
}

/**
 * wait-for-replication: after the push, ECR's replication of `digest` from every registry's repository,
 * polled until each destination is COMPLETE (registries in parallel).
 */
export async function waitForReplicas(
  outcomes: readonly RepositoryOutcome[],
  digest: string,
  options: RepositoryOptions & { timeoutSeconds: number },
): Promise<void> {
  await inEveryRegistry(outcomes, options, async (client, target, outcome) => {
    const where = `${outcome.host}/${options.name}@${digest}`;
    const destinations = await waitForReplication(client, {
      ...target,
      digest,
      where,
      timeoutMs: options.timeoutSeconds * 1000,
    });
    core.info(
      destinations.length === 0
        ? `${where}: the registry replicates to no other region or account.`
        : `${where}: replicated to ${destinations.map((entry) => `${entry.registryId}/${entry.region}`).join(', ')}.`,
    );
  });
}

/** The scan gate refused the image: its verdict, for the job summary. */
export class ScanGateError extends ActionError {
  constructor(
    message: string,
    readonly verdict: Verdict,
  ) {
    super(message);
    this.name = 'ScanGateError';
  }
}

/**
 * The scan gate: every registry's scan of each image `digests` names (one, or the platforms of an
 * index), read once COMPLETE, judged together. Throws a ScanGateError when a finding blocks.
 */
export async function scanImages(
  outcomes: readonly RepositoryOutcome[],
  digests: readonly string[],
  gate: ScanGate,
  options: RepositoryOptions,
): Promise<Verdict> {
  const perRegistry = await inEveryRegistry(outcomes, options, (client, target, outcome) =>
    Promise.all(
      digests.map((digest) =>
        scanFindings(client, {
          ...target,
          digest,
          where: `${outcome.host}/${options.name}@${digest}`,
          timeoutMs: gate.timeoutSeconds * 1000,
        }),
      ),
    ),
  );
  const all = perRegistry.flat();
  // The same vulnerability in two registries' scans (or two platforms) counts once.
  const seen = new Set<string>();
  const findings = all.flat().filter((finding) => {
    const key = `${finding.id} ${finding.severity} ${finding.packageName ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const verdict = judgeFindings(findings, gate);
  for (const finding of verdict.blocking) {
    core.info(
      `  ${finding.severity} ${finding.id}${finding.packageName ? ` in ${finding.packageName}` : ''}${finding.uri ? `: ${finding.uri}` : ''}`,
    );
  }
  if (verdict.blocking.length > 0) {
    throw new ScanGateError(
      `Scan gate (scan-fail-on: ${gate.failOn}): ${describeVerdict(verdict, gate.failOn)}. The image stays untagged by the gated tags. ` +
        'Fix: update the vulnerable packages and rebuild, or list an accepted vulnerability in scan-ignore.',
      verdict,
    );
  }
  core.info(
    `Scan gate (scan-fail-on: ${gate.failOn}) passed: ${describeVerdict(verdict, gate.failOn)}${verdict.ignored.length > 0 ? `; ignored: ${verdict.ignored.map((finding) => finding.id).join(', ')}` : ''}.`,
  );
  return verdict;
}
