import { NotImplementedCommandError } from "../errors.ts";
import type { Command } from "./registry.ts";

/** A command whose issue has not landed yet: says so in one line, exit 2. */
export function notLandedCommand(spec: Omit<Command, "run">, issue: string): Command {
  return {
    ...spec,
    async run() {
      throw new NotImplementedCommandError(`'${spec.name}' is not available yet (${issue})`);
    },
  };
}
