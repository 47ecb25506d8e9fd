/**
 * The one place an input's text is read (core.getInput): the runner's INPUT_* variable, or the table's
 * default when it is empty, so a default is written once (src/inputs/table.ts) for the action and the CLI.
 */
import * as core from '@actions/core';
import { inputSpec } from './table.js';

export function readInput(name: string): string {
  return core.getInput(name) || (inputSpec(name).default ?? '');
}
