/** Which CI system a run is in, from the variables each one sets, or as the user names it. */
import { InputError } from '../shared/errors.js';
import { CI_SYSTEMS, type CiSystem, type Env } from './types.js';
import { isTrue, nonEmpty } from './values.js';

/**
 * The first match wins, in this order: a job can see another system's variables (a GitLab runner started
 * from GitHub Actions, a Docker image built with Travis variables baked in), and the system actually running
 * the job is the more specific one, GitHub Actions first.
 */
const DETECTORS: readonly [CiSystem, (env: Env) => boolean][] = [
  ['github', (env) => isTrue(env.GITHUB_ACTIONS)],
  ['gitlab', (env) => isTrue(env.GITLAB_CI)],
  ['travis', (env) => isTrue(env.TRAVIS)],
  ['bitbucket', (env) => nonEmpty(env.BITBUCKET_BUILD_NUMBER) !== undefined],
  ['circleci', (env) => isTrue(env.CIRCLECI)],
  ['codeship', (env) => env.CI_NAME?.trim().toLowerCase() === 'codeship'],
];

/** The CI system the variables show; `git` (the checkout alone) when none. */
export function detectCiSystem(env: Env): CiSystem {
  return DETECTORS.find(([, matches]) => matches(env))?.[0] ?? 'git';
}

/**
 * A system name as a user writes it (any case), for forcing one when detection guesses wrong. `input` names
 * the option or variable in the error.
 */
export function parseCiSystem(text: string, input = 'ci-system'): CiSystem {
  const name = text.trim().toLowerCase();
  const system = CI_SYSTEMS.find((known) => known === name);
  if (system === undefined)
    throw new InputError(input, text.trim(), `expected one of ${CI_SYSTEMS.join(', ')}`);
  return system;
}
