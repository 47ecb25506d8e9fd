/** Once the image is built, the immutable tags planned before the build are settled: same image, or fail. Pure. */
import { ActionError } from '../../shared/errors.js';
import { isSameImage, shortDigest } from './same-image.js';
import type { ExistingImage, NewImage, TagPlan } from './types.js';

/**
 * Once the image is built, decides the tags the plan had to leave open: an immutable tag that already exists
 * can only be "pushed" if it already holds this very image. `configs` maps the digests those tags hold to
 * their config digests (what BatchGetImage says); `image` is what the build produced.
 *
 * - same image: the tag is unchanged, nothing to push;
 * - another image: the push would be refused, so the step fails before pushing anything;
 * - nothing to compare (the build gave no digest): left as it is, with the reason.
 */
export function settleAfterBuild(
  plan: TagPlan,
  configs: ReadonlyMap<string, string>,
  image: NewImage,
): TagPlan {
  const settled: TagPlan = { push: [], unchanged: [...plan.unchanged], skipped: [...plan.skipped] };
  const failures: string[] = [];
  for (const entry of plan.push) {
    if (!entry.checkAfterBuild || entry.replaces === undefined) {
      settled.push.push(entry);
      continue;
    }
    const config = configs.get(entry.replaces);
    const holder: ExistingImage = {
      digest: entry.replaces,
      tags: [entry.tag.name],
      ...(config === undefined ? {} : { configDigest: config }),
    };
    const same = sameAsBuilt(holder, image);
    if (same === true) {
      settled.unchanged.push({ tag: entry.tag, digest: entry.replaces });
    } else if (same === false) {
      failures.push(
        `Tag '${entry.tag.name}' is immutable and already holds another image (${shortDigest(entry.replaces)}), ` +
          `not the one just built. Fix: release under a new tag, or delete the old image if replacing it is intended.`,
      );
    } else {
      settled.skipped.push({
        tag: entry.tag,
        reason: `'${entry.tag.name}' already exists and is immutable, and the builder gave no digest to compare the new image with: left as it is.`,
      });
    }
  }
  if (failures.length > 0) throw new ActionError(`Nothing was pushed. ${failures.join(' ')}`);
  return settled;
}

/**
 * A local image ID is the config digest in docker's classic image store but the manifest digest in the
 * containerd store; a config digest never equals a manifest digest by chance, so both are tried.
 */
function sameAsBuilt(holder: ExistingImage, image: NewImage): boolean | undefined {
  if (image.configDigest !== undefined && image.configDigest === holder.digest) return true;
  return isSameImage(holder, image);
}
