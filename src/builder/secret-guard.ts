/** A registry password must never end up in the image: a build arg or label that holds one is refused. Pure. */
import type { Labels } from '../image/labels.js';
import type { Login } from '../docker-config/merge.js';
import { ActionError } from '../shared/errors.js';

export function refuseSecretsInImage(
  logins: readonly Login[],
  buildArgs: readonly (readonly [string, string])[],
  labels: Labels,
): void {
  const values = [
    ...buildArgs.map(([name, value]) => [`build-args ${name}`, value] as const),
    ...Object.entries(labels).map(([key, value]) => [`labels ${key}`, value] as const),
  ];
  for (const login of logins) {
    const found = values.find(([, value]) => value.includes(login.password));
    if (found) {
      throw new ActionError(
        `${found[0]} holds the registry password of ${login.host}: it would be stored in the image for anyone who ` +
          `can pull it. Pass values the build needs but the image must not keep with 'secrets'.`,
      );
    }
  }
}
