/** What the step does to the ECR repository, as the inputs ask it: a type only, read by the repository stage. */
import type { OnImmutable } from './tag-plan/index.js';
import type {
  ResolvedLifecyclePolicy,
  ResolvedRepositoryPolicy,
  RepositorySettings,
} from './policies/index.js';

/** Repository management: creation, settings, policies, the tag plan and clean-up. */
export interface RepositoryManagement {
  create: boolean;
  settings: RepositorySettings;
  lifecyclePolicy?: ResolvedLifecyclePolicy;
  repositoryPolicy?: ResolvedRepositoryPolicy;
  onImmutable: OnImmutable;
  /** `cleanup: untagged`: delete the repository's untagged images once the job's pushes are done. */
  cleanup: boolean;
  cleanupDryRun: boolean;
}
