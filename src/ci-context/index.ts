/**
 * The build's GitContext from whichever CI system runs it, so the tag rules (`type=branch`, `type=tag`,
 * `type=pr`, `type=sha`) and the OCI labels come out the same everywhere. Pure: the environment, the event
 * payload reader and git are all passed in.
 */
import { readContext, type GitContext } from './github.js';
import { readBitbucket } from './bitbucket.js';
import { readCircleCi } from './circleci.js';
import { readCodeship } from './codeship.js';
import { detectCiSystem } from './detect.js';
import { fillFromGit } from './fill-from-git.js';
import { readGitLab } from './gitlab.js';
import { readPlainGit } from './plain-git.js';
import { readTravis } from './travis.js';
import type { CiContext, CiSystem, Env, GitReader } from './types.js';

export { detectCiSystem, parseCiSystem } from './detect.js';
export { parseRemoteUrl, type RemoteRepository } from './remote-url.js';
export { CI_SYSTEMS, type CiContext, type CiSystem, type Env, type GitReader } from './types.js';

export interface DetectOptions {
  /** Reads GitHub's event payload (GITHUB_EVENT_PATH): a pull request's head commit is only there. */
  readFile: (path: string) => string;
  /** git in the checkout: all a plain checkout has, and where the other systems' gaps are filled from. */
  git: GitReader;
  /** Skips detection, for a run whose variables mislead it. */
  system?: CiSystem;
}

export function detectCiContext(env: Env, options: DetectOptions): CiContext {
  const system = options.system ?? detectCiSystem(env);
  if (system === 'git') return { system, context: readPlainGit(options.git) };
  return { system, context: fillFromGit(readSystem(system, env, options), options.git) };
}

function readSystem(system: Exclude<CiSystem, 'git'>, env: Env, options: DetectOptions): GitContext {
  switch (system) {
    case 'github':
      return readContext(env, options.readFile);
    case 'gitlab':
      return readGitLab(env);
    case 'travis':
      return readTravis(env);
    case 'bitbucket':
      return readBitbucket(env);
    case 'circleci':
      return readCircleCi(env);
    case 'codeship':
      return readCodeship(env, options.git);
  }
}
