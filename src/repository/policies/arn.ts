/** ARNs for the resources this action touches, in the partition of the region they live in. */

/** Region prefixes of the partitions other than `aws`; the ISO-B prefix comes before ISO's, which it starts with. */
const PARTITIONS: readonly (readonly [prefix: string, partition: string])[] = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['eusc-', 'aws-eusc'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
];

/** `cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`, `eusc-de-east-1` → `aws-eusc`, others → `aws`. */
export function partitionOf(region: string): string {
  return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

export function repositoryArn(region: string, accountId: string, repository: string): string {
  return `arn:${partitionOf(region)}:ecr:${region}:${accountId}:repository/${repository}`;
}

export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}
