/**
 * `cleanup: untagged`, run by the post step: by then the job's pushes (this action's or a later docker push)
 * are done, so the images they left without a tag can go.
 */
import * as core from '@actions/core';
import { ecrClientFor } from '../aws/ecr-client.js';
import { deleteUntaggedImages } from '../aws/images.js';
import { getProxySetting } from '../inputs/proxy.js';

/** `cleanup: untagged`, done by the post step once the job's pushes are over. Holds no secret. */
export interface CleanupState {
  targets: { region: string; fips: boolean; registryId?: string; name: string; host: string }[];
  dryRun: boolean;
  maxAttempts: number;
  /** The configuration's IAM policy, quoted if AWS denies the clean-up. */
  policy: string;
}

export async function cleanUntagged(state: CleanupState): Promise<void> {
  const proxy = getProxySetting();
  for (const target of state.targets) {
    const client = ecrClientFor(
      target.region,
      target.fips,
      { maxAttempts: state.maxAttempts, ...(proxy ? { proxy } : {}) },
      process.env,
    );
    try {
      const result = await deleteUntaggedImages(client, {
        name: target.name,
        ...(target.registryId ? { registryId: target.registryId } : {}),
        policyFor: () => state.policy,
        dryRun: state.dryRun,
      });
      const where = `${target.host}/${target.name}`;
      const orphaned = new Set(result.orphanedReferrers);
      if (state.dryRun) {
        core.info(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
        for (const digest of result.found) {
          core.info(`  ${digest}${orphaned.has(digest) ? ' (a referrer of an image that is gone)' : ''}`);
        }
      } else {
        core.info(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
      }
      // What stays although untagged, and why: listed in a dry run too.
      const kept = [
        ...result.keptChildren.map((digest) => `  ${digest} (a platform manifest of a kept index)`),
        ...result.keptReferrers.map(
          (digest) => `  ${digest} (a signature, SBOM or attestation of a kept image)`,
        ),
      ];
      if (kept.length > 0) {
        core.info(`${where}: kept ${kept.length} untagged image(s) that kept images need:`);
        for (const line of kept) core.info(line);
      }
      for (const digest of result.taggedAfterAll) {
        core.warning(`${where}: kept ${digest}: ECR listed it as untagged, but it has a tag.`);
      }
      for (const failure of result.failures)
        core.warning(`${where}: kept ${failure.digest}: ${failure.reason}`);
    } finally {
      client.destroy();
    }
  }
}
