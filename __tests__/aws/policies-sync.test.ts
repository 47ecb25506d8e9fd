import { describe, expect, test } from '@jest/globals';
import {
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  LifecyclePolicyNotFoundException,
  PutLifecyclePolicyCommand,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import 'aws-sdk-client-mock-jest';
import {
  syncLifecyclePolicy,
  syncRepositoryPolicy,
  type PolicySyncOptions,
} from '../../src/aws/policies-sync.js';
import { ActionError } from '../../src/shared/errors.js';
import { ACCOUNT, REGION, accessDenied, useMockedEcr } from '../fixtures/ecr-mock.js';

const NAME = 'team/app';
const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${NAME}`;

/** A policy granting just `action`, so each AccessDenied message can be checked for its own. */
const policyFor = (action: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [action], Resource: ARN }],
  });

const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'untagged',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      action: { type: 'expire' },
    },
  ],
});
/** The same policy as ECR may hand it back: pretty-printed, keys in another order. */
const LIFECYCLE_AS_STORED = `{
  "rules" : [ {
    "action" : { "type" : "expire" },
    "description" : "untagged",
    "rulePriority" : 1,
    "selection" : { "countNumber" : 7, "countType" : "sinceImagePushed", "countUnit" : "days", "tagStatus" : "untagged" }
  } ]
}`;
const LIFECYCLE_OTHER = LIFECYCLE.replace('"countNumber":7', '"countNumber":14');

const REPOSITORY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PullAccounts',
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::222222222222:root'] },
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
    },
  ],
});
const REPOSITORY_POLICY_AS_STORED = `{
  "Version" : "2012-10-17",
  "Statement" : [ {
    "Sid" : "PullAccounts",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : [ "arn:aws:iam::222222222222:root" ]
    },
    "Action" : [ "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer" ]
  } ]
}`;
const REPOSITORY_POLICY_OTHER = REPOSITORY_POLICY.replace('222222222222', '333333333333');

const mocked = useMockedEcr();

/** The lifecycle and the repository policy take the same path through different calls and fields. */
const kinds = [
  {
    kind: 'lifecycle policy',
    sync: syncLifecyclePolicy,
    wanted: LIFECYCLE,
    asStored: LIFECYCLE_AS_STORED,
    other: LIFECYCLE_OTHER,
    getAction: 'ecr:GetLifecyclePolicy',
    writeAction: 'ecr:PutLifecyclePolicy',
    stored: (text: string) =>
      mocked.ecr().on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: text }),
    none: () =>
      mocked
        .ecr()
        .on(GetLifecyclePolicyCommand)
        .rejects(
          new LifecyclePolicyNotFoundException({ message: 'Lifecycle policy does not exist', $metadata: {} }),
        ),
    rejectRead: (error: Error) => mocked.ecr().on(GetLifecyclePolicyCommand).rejects(error),
    rejectWrite: (error: Error) => mocked.ecr().on(PutLifecyclePolicyCommand).rejects(error),
    reads: () =>
      mocked
        .ecr()
        .commandCalls(GetLifecyclePolicyCommand)
        .map((call) => call.args[0].input),
    writes: () =>
      mocked
        .ecr()
        .commandCalls(PutLifecyclePolicyCommand)
        .map((call) => call.args[0].input),
    expectNoWrite: () => {
      expect(mocked.ecr()).not.toHaveReceivedCommand(PutLifecyclePolicyCommand);
    },
    textField: 'lifecyclePolicyText',
  },
  {
    kind: 'repository policy',
    sync: syncRepositoryPolicy,
    wanted: REPOSITORY_POLICY,
    asStored: REPOSITORY_POLICY_AS_STORED,
    other: REPOSITORY_POLICY_OTHER,
    getAction: 'ecr:GetRepositoryPolicy',
    writeAction: 'ecr:SetRepositoryPolicy',
    stored: (text: string) => mocked.ecr().on(GetRepositoryPolicyCommand).resolves({ policyText: text }),
    none: () =>
      mocked
        .ecr()
        .on(GetRepositoryPolicyCommand)
        .rejects(
          new RepositoryPolicyNotFoundException({
            message: 'Repository policy does not exist',
            $metadata: {},
          }),
        ),
    rejectRead: (error: Error) => mocked.ecr().on(GetRepositoryPolicyCommand).rejects(error),
    rejectWrite: (error: Error) => mocked.ecr().on(SetRepositoryPolicyCommand).rejects(error),
    reads: () =>
      mocked
        .ecr()
        .commandCalls(GetRepositoryPolicyCommand)
        .map((call) => call.args[0].input),
    writes: () =>
      mocked
        .ecr()
        .commandCalls(SetRepositoryPolicyCommand)
        .map((call) => call.args[0].input),
    expectNoWrite: () => {
      expect(mocked.ecr()).not.toHaveReceivedCommand(SetRepositoryPolicyCommand);
    },
    textField: 'policyText',
  },
];

describe.each(kinds)('$kind', (policy) => {
  const options = (text: string): PolicySyncOptions => ({ name: NAME, registryId: ACCOUNT, policyFor, text });

  test.each<[string, (p: typeof policy) => string]>([
    ['byte for byte', (p) => p.wanted],
    ['differing only in white space and key order', (p) => p.asStored],
  ])('the same policy stored %s: no write call', async (_name, storedText) => {
    policy.stored(storedText(policy));

    await expect(policy.sync(mocked.client(), options(policy.wanted))).resolves.toBe('unchanged');

    expect(policy.reads()).toEqual([{ repositoryName: NAME, registryId: ACCOUNT }]);
    policy.expectNoWrite();
  });

  test('a different policy stored: exactly one write, with our text', async () => {
    policy.stored(policy.other);

    await expect(policy.sync(mocked.client(), options(policy.wanted))).resolves.toBe('applied');

    expect(policy.writes()).toEqual([
      { repositoryName: NAME, registryId: ACCOUNT, [policy.textField]: policy.wanted },
    ]);
  });

  test('none stored (NotFound): written', async () => {
    policy.none();

    await expect(policy.sync(mocked.client(), options(policy.wanted))).resolves.toBe('applied');

    expect(policy.writes()).toEqual([
      { repositoryName: NAME, registryId: ACCOUNT, [policy.textField]: policy.wanted },
    ]);
  });

  test('stored text that is not JSON is replaced', async () => {
    policy.stored('not json');
    await expect(policy.sync(mocked.client(), options(policy.wanted))).resolves.toBe('applied');
  });

  test("without a registryId the calls name none (the credentials' registry)", async () => {
    policy.none();
    await policy.sync(mocked.client(), { name: NAME, policyFor, text: policy.wanted });
    expect(policy.reads()).toEqual([{ repositoryName: NAME }]);
    expect(policy.writes()).toEqual([{ repositoryName: NAME, [policy.textField]: policy.wanted }]);
  });

  test.each<[string, (p: typeof policy) => void, (p: typeof policy) => string]>([
    ['reading', (p) => p.rejectRead(accessDenied(p.getAction)), (p) => p.getAction],
    [
      'writing',
      (p) => {
        p.none();
        p.rejectWrite(accessDenied(p.writeAction));
      },
      (p) => p.writeAction,
    ],
  ])('AccessDenied %s names the action and the policy to attach', async (_name, arrange, actionOf) => {
    arrange(policy);
    const action = actionOf(policy);

    const failure = policy.sync(mocked.client(), options(policy.wanted));

    await expect(failure).rejects.toThrow(ActionError);
    await expect(failure).rejects.toThrow(
      `Access denied: the AWS identity may not call ${action} in eu-west-1 (repository team/app of registry 111111111111)`,
    );
    await expect(failure).rejects.toThrow(`Attach this IAM policy to the role: ${policyFor(action)}`);
  });
});
