/** Where a policy input comes from: inline JSON, a file in the workspace, or a shorthand. Pure but for the reader it is given. */
import { ActionError, InputError, messageOf } from '../../shared/errors.js';

/** Reads a file the user named; the caller decides where relative paths start (the workspace). */
export type ReadFile = (path: string) => string;

export type PolicySource =
  | { kind: 'inline'; json: unknown }
  | { kind: 'file'; path: string; json: unknown }
  | { kind: 'shorthand'; text: string };

/**
 * Tells the three ways a policy input can be written apart: inline JSON starts with `{`; shorthand starts
 * with one of `shorthandKeys` followed by `=` or `:`; anything else is a path to a JSON file.
 */
export function readPolicySource(
  input: string,
  text: string,
  readFile: ReadFile,
  shorthandKeys: readonly string[],
): PolicySource {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return { kind: 'inline', json: parseJson(input, trimmed, 'inline JSON') };
  const firstKey = /^([a-z][a-z-]*)\s*[=:]/i.exec(trimmed)?.[1]?.toLowerCase();
  if (firstKey !== undefined && shorthandKeys.includes(firstKey)) return { kind: 'shorthand', text: trimmed };
  let content: string;
  try {
    content = readFile(trimmed);
  } catch (error) {
    throw new InputError(
      input,
      trimmed,
      `it is read as a file path, and the file could not be read (${messageOf(error)}); give a path to a JSON file in the workspace, inline JSON starting with '{', or shorthand starting with ${shorthandKeys.map((key) => `'${key}='`).join(', ')}`,
    );
  }
  return { kind: 'file', path: trimmed, json: parseJson(input, content, `file ${trimmed}`) };
}

function parseJson(input: string, text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ActionError(`${input}: the ${where} is not valid JSON (${messageOf(error)}); fix the syntax.`);
  }
}
