/**
 * Every CLI command: its flags (for parsing and help) and its implementation.
 */

import type { CommandSpec, ParsedArgs } from "../cli/args.ts";

export interface Command extends CommandSpec {
  /** Runs the command; resolves to the process exit code. */
  run(args: ParsedArgs): Promise<number>;
}
