/** The `on-immutable` input: what a moving tag does on an immutable repository. Pure. */
import { InputError } from '../../shared/errors.js';
import type { OnImmutable } from './types.js';

/** The `on-immutable` input; empty means `skip`: drop the tag with a notice and push the others. */
export function parseOnImmutable(text: string): OnImmutable {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'skip') return 'skip';
  if (value === 'fail') return 'fail';
  throw new InputError(
    'on-immutable',
    text.trim(),
    'use skip (drop moving tags the repository keeps immutable, push the rest) or fail (stop before pushing)',
  );
}
