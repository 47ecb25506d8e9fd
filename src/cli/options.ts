/**
 * The CLI's options: the action's inputs under the same names, from the one input table
 * (src/inputs/table.ts), each also read from an `ECR_PUSH_<NAME>` environment variable.
 */
import { INPUTS, SECTIONS, takesBareFlag, type InputSection } from '../inputs/table.js';

export interface OptionSpec {
  /** The action input's name, and the flag: `--<name>`. */
  name: string;
  /** One line for --help. */
  help: string;
  /** A bare `--<name>` means `true`. */
  flag?: true;
}

export interface OptionGroup {
  title: InputSection;
  options: OptionSpec[];
}

function optionOf(spec: (typeof INPUTS)[number]): OptionSpec {
  return { name: spec.name, help: spec.help, ...(takesBareFlag(spec) ? { flag: true as const } : {}) };
}

export const OPTION_GROUPS: OptionGroup[] = SECTIONS.map((title) => ({
  title,
  options: INPUTS.filter((spec) => spec.section === title).map(optionOf),
}));

export const OPTIONS: OptionSpec[] = OPTION_GROUPS.flatMap((group) => group.options);

/** `docker-config` → `ECR_PUSH_DOCKER_CONFIG`: a name every shell can set. */
export function envName(option: string): string {
  return `ECR_PUSH_${option.replaceAll('-', '_').toUpperCase()}`;
}
