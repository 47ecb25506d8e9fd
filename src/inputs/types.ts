/** The parsed inputs: a type only, so the input table and the stages can name it without loading a parser. */
import type { BuildInputs } from '../builder/inputs.js';
import type { DockerConfigChoice } from '../docker-config/location.js';
import type { MetadataInputs } from '../image/metadata.js';
import type { RegistrySpec } from '../login/registries.js';
import type { RepositoryManagement } from '../repository/management.js';

export type RegistryType = 'private' | 'public';

export interface Inputs {
  metadata: MetadataInputs;
  /** What the step does to the ECR repository: creation, settings, policies, tag plan, clean-up. */
  management: RepositoryManagement;
  build: BuildInputs;
  registryType: RegistryType;
  /** For `private`: the registries to log in to, each with its region. */
  registries: RegistrySpec[];
  dockerConfig: DockerConfigChoice;
  maskPassword: boolean;
  skipLogout: boolean;
  /** The proxy for AWS API calls, from `http-proxy` or HTTPS_PROXY/HTTP_PROXY; NO_PROXY is applied later. */
  proxy?: URL;
  maxAttempts: number;
}
