/**
 * The repository's lifecycle policy and repository (permissions) policy: read what ECR holds, write ours only
 * when it means something else, so a re-run makes no write call and leaves no churn in CloudTrail.
 */
import {
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { policiesEqual } from '../repository/policies/index.js';
import { ecrCall, ecrCallExpecting, repositoryIdOf, type RepositoryTarget } from './repository.js';

export interface PolicySyncOptions extends RepositoryTarget {
  /** The policy text to hold (from resolveLifecyclePolicy / resolveRepositoryPolicy). */
  text: string;
}

export type PolicySyncResult = 'unchanged' | 'applied';

interface PolicyCalls {
  /** The stored text, or undefined when the repository has none. */
  read: () => Promise<string | undefined>;
  write: () => Promise<unknown>;
}

export async function syncLifecyclePolicy(
  client: ECRClient,
  options: PolicySyncOptions,
): Promise<PolicySyncResult> {
  const repository = repositoryIdOf(options);
  return syncPolicy(options.text, {
    read: async () => {
      const response = await ecrCallExpecting(
        client,
        options,
        'ecr:GetLifecyclePolicy',
        'LifecyclePolicyNotFoundException',
        () => client.send(new GetLifecyclePolicyCommand(repository)),
      );
      return response?.lifecyclePolicyText;
    },
    write: () =>
      ecrCall(client, options, 'ecr:PutLifecyclePolicy', () =>
        client.send(new PutLifecyclePolicyCommand({ ...repository, lifecyclePolicyText: options.text })),
      ),
  });
}

export async function syncRepositoryPolicy(
  client: ECRClient,
  options: PolicySyncOptions,
): Promise<PolicySyncResult> {
  const repository = repositoryIdOf(options);
  return syncPolicy(options.text, {
    read: async () => {
      const response = await ecrCallExpecting(
        client,
        options,
        'ecr:GetRepositoryPolicy',
        'RepositoryPolicyNotFoundException',
        () => client.send(new GetRepositoryPolicyCommand(repository)),
      );
      return response?.policyText;
    },
    // No `force`: ECR's lock-out check (a policy that would stop us from setting policies) stays on.
    write: () =>
      ecrCall(client, options, 'ecr:SetRepositoryPolicy', () =>
        client.send(new SetRepositoryPolicyCommand({ ...repository, policyText: options.text })),
      ),
  });
}

async function syncPolicy(wanted: string, calls: PolicyCalls): Promise<PolicySyncResult> {
  // ECR hands back its own formatting of the text; only a difference in meaning is a reason to write.
  const current = await calls.read();
  if (current !== undefined && policiesEqual(current, wanted)) return 'unchanged';
  await calls.write();
  return 'applied';
}
