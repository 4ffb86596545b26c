/**
 * Entry point: parses arguments, dispatches to a command, and maps errors to
 * exit codes and one-line messages (never a stack trace for a user mistake).
 */

import { commandHelp, globalHelp, parseArgs } from "./cli/args.ts";
import { commands } from "./commands/index.ts";
import { BunsnatchError, describeError } from "./errors.ts";
import { log, setLogLevel } from "./log.ts";
import { VERSION } from "./version.ts";

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv, commands);
  } catch (error) {
    process.stderr.write(`bunsnatch: ${describeError(error)}\n`);
    return 2;
  }
  if (args.version) {
    process.stdout.write(`bunsnatch ${VERSION}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === args.command);
  if (args.help || !command) {
    process.stdout.write(`${command ? commandHelp(command) : globalHelp(commands, VERSION)}\n`);
    return 0;
  }
  setLogLevel(args.global.debug ? "debug" : args.global.quiet ? "warning" : "info");
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof BunsnatchError) {
      log.error(error.message);
      if (args.global.debug && error.cause)
        log.debug(`cause: ${String((error.cause as Error).stack ?? error.cause)}`);
      return error.exitCode;
    }
    // A bug, not a user mistake: keep the stack for the report.
    log.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
