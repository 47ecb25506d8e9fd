/** The tag planner: what each wanted tag does in the repository, decided before anything is pushed. */
export { parseOnImmutable } from './on-immutable.js';
export { planTags } from './plan-tags.js';
export { isSameImage } from './same-image.js';
export { highestStableVersion } from './versions.js';
export type {
  ExistingImage,
  NewImage,
  OnImmutable,
  SkippedTag,
  TagPlan,
  TagPlanInput,
  TagToPush,
  UnchangedTag,
} from './types.js';
export { settleAfterBuild } from './settle.js';
