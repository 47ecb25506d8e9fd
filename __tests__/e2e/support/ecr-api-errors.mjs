// The errors the ECR stand-in answers, in AWS JSON form, with the names and messages ECR uses so the
// action's error handling meets what it will meet in AWS. Its own module so every handler module can
// throw them without importing the server.

export const DEFAULT_ACCOUNT = '123456789012';

/** An error the stand-in answers in AWS JSON form; throw it from a handler. */
export class AwsError extends Error {
  constructor(type, message, status = 400, extra = {}) {
    super(message);
    this.type = type;
    this.status = status;
    this.extra = extra;
  }
}

function describeImageId(imageId = {}) {
  const parts = [];
  if (imageId.imageDigest) parts.push(`imageDigest=${imageId.imageDigest}`);
  if (imageId.imageTag) parts.push(`imageTag=${imageId.imageTag}`);
  return `{${parts.join(', ')}}`;
}

export const errors = {
  throttling: () => new AwsError('ThrottlingException', 'Rate exceeded', 400),
  server: () => new AwsError('ServerException', 'Internal server error (injected)', 500),
  unavailable: () => new AwsError('ServiceUnavailableException', 'Service unavailable (injected)', 503),
  expiredToken: () =>
    new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400),
  unrecognizedClient: () =>
    new AwsError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      400,
    ),
  accessDenied: (operation) =>
    new AwsError(
      'AccessDeniedException',
      `User: arn:aws:iam::${DEFAULT_ACCOUNT}:user/e2e is not authorized to perform: ecr:${operation}`,
      400,
    ),
  invalidParameter: (message) => new AwsError('InvalidParameterException', message, 400),
  invalidTagParameter: (message) => new AwsError('InvalidTagParameterException', message, 400),
  repositoryNotFound: (name, accountId) =>
    new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${accountId}'`,
    ),
  repositoryAlreadyExists: (name, accountId) =>
    new AwsError(
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${accountId}'`,
    ),
  lifecyclePolicyNotFound: (name, accountId) =>
    new AwsError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${accountId}'`,
    ),
  repositoryPolicyNotFound: (name, accountId) =>
    new AwsError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${accountId}'`,
    ),
  imageNotFound: (imageId, name, accountId) =>
    new AwsError(
      'ImageNotFoundException',
      `The image with imageId ${describeImageId(imageId)} does not exist within the repository with name '${name}' in the registry with id '${accountId}'`,
    ),
};
