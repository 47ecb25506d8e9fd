/** Whether this run pushes (`push: auto` skips pull requests) and what a run without credentials does. Pure. */
import type { PushChoice } from './inputs.js';

export interface PushDecision {
  push: boolean;
  /** Why, in one sentence for the log and the summary. */
  reason: string;
  /** `push: auto`: a job without AWS credentials (a fork's pull request) builds without pushing. */
  withoutCredentials: 'build-only' | 'fail';
}

/**
 * `push: auto` pushes, except for pull requests: their code is not reviewed yet, and a fork's pull request
 * has no AWS credentials anyway (`pull_request_target` included, whose secrets must not meet fork code).
 */
export function decidePush(choice: PushChoice, eventName: string): PushDecision {
  if (choice === 'true') return { push: true, reason: 'push: true', withoutCredentials: 'fail' };
  if (choice === 'false') return { push: false, reason: 'push: false', withoutCredentials: 'build-only' };
  if (eventName.startsWith('pull_request')) {
    return {
      push: false,
      reason: `a ${eventName} event: the image is built to check it, not pushed (set push: true to push)`,
      withoutCredentials: 'build-only',
    };
  }
  return { push: true, reason: 'push: auto', withoutCredentials: 'build-only' };
}
