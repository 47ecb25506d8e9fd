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
      if (state.dryRun) {
        core.info(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
        for (const digest of result.found) core.info(`  ${digest}`);
      } else {
        core.info(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
      }
      for (const failure of result.failures)
        core.warning(`${where}: kept ${failure.digest}: ${failure.reason}`);
    } finally {
      client.destroy();
    }
  }
}
