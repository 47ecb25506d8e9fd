/** A policy that ECR would refuse: the error names the input, the rule and the fix. */
import { ActionError } from '../../shared/errors.js';

/**
 * A policy (lifecycle or repository) that ECR would reject, found before any call. The message starts with
 * the input and the place in the policy (`lifecycle-policy: rule 2 (priority 5): ...`) so the user can find it.
 */
export class PolicyError extends ActionError {
  constructor(
    readonly input: string,
    readonly location: string,
    readonly problem: string,
  ) {
    super(
      `${input}: ${location === '' ? '' : `${location}: `}${problem}${/[.!?]$/.test(problem) ? '' : '.'}`,
    );
    this.name = 'PolicyError';
  }
}
