/** The IAM policy a login needs, for AccessDenied messages. */
export function loginPolicyFor(action: string): string {
  const statement: Record<string, unknown>[] = [{ Effect: 'Allow', Action: [action], Resource: '*' }];
  if (action.startsWith('ecr-public:')) {
    statement.push({ Effect: 'Allow', Action: ['sts:GetServiceBearerToken'], Resource: '*' });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statement });
}
