/** Value parsers the input modules share: pure, each error naming the input and what it accepts. */
import { InputError } from '../shared/errors.js';

/** `true` or `false`, any case; `fallback` for an empty value. */
export function parseBoolean(input: string, value: string, fallback?: boolean): boolean {
  const lowered = value.trim().toLowerCase();
  if (lowered === 'true') return true;
  if (lowered === 'false') return false;
  if (lowered === '' && fallback !== undefined) return fallback;
  throw new InputError(input, value, "expected 'true' or 'false'");
}

export function parseIntegerInRange(input: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || parsed < min || parsed > max) {
    throw new InputError(input, value, `expected a whole number from ${min} to ${max}`);
  }
  return parsed;
}
