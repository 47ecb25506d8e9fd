/** The tag plan: which tags to push, which already hold the image, which to skip and why. Pure. */
import { ActionError } from '../../shared/errors.js';
import { isTagImmutable, type TagMutabilitySetting } from '../policies/tag-mutability.js';
import { matchesWildcard } from '../policies/wildcard.js';
import type { ResolvedTag } from '../../image/tags/types.js';
import { isSameImage, shortDigest } from './same-image.js';
import type { TagPlan, TagPlanInput } from './types.js';
import { forwardOnlyReason, stableVersions } from './versions.js';

/**
 * Decides, before anything is pushed, what each wanted tag does in this repository: push, nothing (it
 * already holds this image), or skip with a reason. Throws one ActionError naming every tag that would
 * make ECR refuse the push, so a run never half-pushes.
 */
export function planTags(input: TagPlanInput): TagPlan {
  const plan: TagPlan = { push: [], unchanged: [], skipped: [] };
  const failures: string[] = [];
  const versions = stableVersions(input.images);
  for (const tag of uniqueByName(input.tags)) {
    const heldBack = forwardOnlyReason(tag, versions, input.latestAuto);
    if (heldBack !== undefined) {
      plan.skipped.push({ tag, reason: heldBack });
      continue;
    }
    const holder = input.images.find((image) => image.tags.includes(tag.name));
    const same = holder ? isSameImage(holder, input.image) : undefined;
    if (holder && same === true) {
      plan.unchanged.push({ tag, digest: holder.digest });
      continue;
    }
    if (!isTagImmutable(input.tagMutability, tag.name)) {
      plan.push.push({ tag, ...(holder && { replaces: holder.digest }) });
      continue;
    }
    const why = immutableBecause(input.tagMutability, tag.name);
    if (tag.moving) {
      if (input.onImmutable === 'skip') {
        plan.skipped.push({
          tag,
          reason: `'${tag.name}' moves with each build, but ${why}; ${movingFix(input.tagMutability, tag.name)}.`,
        });
      } else {
        failures.push(
          `Tag '${tag.name}' moves with each build, but ${why}. Fix: ${movingFix(input.tagMutability, tag.name)}, or set on-immutable: skip to push without it.`,
        );
      }
      continue;
    }
    if (holder && same === false) {
      failures.push(
        `Tag '${tag.name}' already holds another image (${shortDigest(holder.digest)}) and ${why}. Fix: release under a new version, or delete the old image first if replacing it is intended.`,
      );
      continue;
    }
    plan.push.push({ tag, ...(holder && { replaces: holder.digest, checkAfterBuild: true as const }) });
  }
  if (failures.length > 0) throw new ActionError(`Nothing was pushed. ${failures.join(' ')}`);
  return plan;
}

/** The first rule wins when two produce the same tag name; one push per name. */
function uniqueByName(tags: readonly ResolvedTag[]): ResolvedTag[] {
  const seen = new Set<string>();
  return tags.filter((tag) => !seen.has(tag.name) && seen.add(tag.name));
}

function immutableBecause(setting: TagMutabilitySetting, tag: string): string {
  if (setting.mutability === 'MUTABLE_WITH_EXCLUSION') {
    const filter = setting.exclusionFilters.find((candidate) => matchesWildcard(candidate, tag)) ?? '';
    return `the repository keeps tags matching '${filter}' immutable (MUTABLE_WITH_EXCLUSION)`;
  }
  if (setting.mutability === 'IMMUTABLE_WITH_EXCLUSION') {
    return `the repository's tags are immutable and no exclusion filter (${setting.exclusionFilters.join(', ')}) matches it (IMMUTABLE_WITH_EXCLUSION)`;
  }
  return "the repository's tags are immutable (IMMUTABLE)";
}

function movingFix(setting: TagMutabilitySetting, tag: string): string {
  if (setting.mutability === 'MUTABLE_WITH_EXCLUSION') {
    return `remove the filter matching '${tag}' from tag-mutability-exclusions to let it move`;
  }
  if (setting.mutability === 'IMMUTABLE_WITH_EXCLUSION') {
    return `add '${tag}' (or a wildcard matching it) to tag-mutability-exclusions to let it move`;
  }
  return `to let it move, set tag-mutability: IMMUTABLE_WITH_EXCLUSION with tag-mutability-exclusions: ${tag}`;
}
