import { type Command, Option } from 'commander';

import type { ConfigValues } from '../config/config-file.js';
import { RUN_OPTIONS, type RunOptionKey } from '../config/run-option-table.js';

/** commander's argParser for a repeatable option: every use, in order. */
export const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `(default 1h)` for the help line, when the option has a default worth showing. */
function defaultText(value: string | number | boolean | undefined): string {
  return value === undefined || typeof value === 'boolean' ? '' : ` (default ${value})`;
}

/** Declares every run option of the table on a commander command (shared by `run` and commands like it). */
export function addRunOptions(command: Command): Command {
  for (const key of Object.keys(RUN_OPTIONS) as RunOptionKey[]) {
    const spec = RUN_OPTIONS[key];
    const option = new Option(spec.flags, `${spec.help}${defaultText(spec.default)}`);
    if (spec.repeatable) option.argParser(collect);
    command.addOption(option);
  }
  return command;
}

/** The values the user gave on the command line: commander's own defaults (`--no-init` sets init) left out. */
export function givenRunFlags(command: Command): ConfigValues {
  const flags: ConfigValues = {};
  for (const key of Object.keys(RUN_OPTIONS) as RunOptionKey[]) {
    if (command.getOptionValueSource(key) === 'cli') flags[key] = command.getOptionValue(key);
  }
  return flags;
}
