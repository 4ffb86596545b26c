/**
 * Command-line parsing: `bunsnatch [global options] <command> [command options] [args]`.
 * Global options are accepted before or after the command name.
 */

import { UsageError } from "../errors.ts";

export const COMMANDS = ["mirror", "sync", "verify", "delete", "serve", "version"] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface GlobalOptions {
  config: string;
  debug: boolean;
  quiet: boolean;
  json: boolean;
}

/** One flag a command accepts. */
export interface FlagSpec {
  name: string;
  /** Takes a value (`--workers 4` / `--workers=4`). */
  value?: boolean;
  /** Name of the value in help (default `N`). */
  metavar?: string;
  help: string;
}

export interface CommandSpec {
  name: CommandName;
  summary: string;
  /** Positional argument description for help, e.g. `<project>...`. */
  positional?: { name: string; required: boolean; help: string };
  flags: FlagSpec[];
}

export interface ParsedArgs {
  global: GlobalOptions;
  command: CommandName | undefined;
  flags: Map<string, string | true>;
  positional: string[];
  help: boolean;
  version: boolean;
}

export const DEFAULT_CONFIG_PATH = "/etc/bunsnatch.conf";

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "config", value: true, metavar: "FILE", help: `config file (default ${DEFAULT_CONFIG_PATH})` },
  { name: "debug", help: "log debug messages" },
  { name: "quiet", help: "only warnings, errors and the summary" },
  { name: "json", help: "print the run summary as JSON on stdout" },
  { name: "help", help: "show help and exit" },
  { name: "version", help: "print the version and exit" },
];

/**
 * Parses argv (without the executable and script).
 *
 * @throws UsageError for unknown commands or flags, or a missing flag value.
 */
export function parseArgs(argv: string[], commands: CommandSpec[]): ParsedArgs {
  const result: ParsedArgs = {
    global: { config: DEFAULT_CONFIG_PATH, debug: false, quiet: false, json: false },
    command: undefined,
    flags: new Map(),
    positional: [],
    help: false,
    version: false,
  };
  let spec: CommandSpec | undefined;
  let onlyPositional = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (onlyPositional || !arg.startsWith("-") || arg === "-") {
      if (!result.command) {
        spec = commands.find((command) => command.name === arg);
        if (!spec) throw new UsageError(`unknown command '${arg}' (commands: ${COMMANDS.join(", ")})`);
        result.command = spec.name;
      } else {
        result.positional.push(arg);
      }
      continue;
    }
    if (arg === "--") {
      onlyPositional = true;
      continue;
    }
    const { name, inlineValue } = splitFlag(arg);
    const flag =
      GLOBAL_FLAGS.find((candidate) => candidate.name === name) ??
      spec?.flags.find((candidate) => candidate.name === name);
    if (!flag) {
      const where = spec ? `for '${spec.name}'` : "before the command";
      throw new UsageError(`unknown option '${arg}' ${where} (see --help)`);
    }
    let value: string | true = true;
    if (flag.value) {
      const next = inlineValue ?? argv[++index];
      if (next === undefined) throw new UsageError(`option '--${flag.name}' needs a value`);
      value = next;
    } else if (inlineValue !== undefined) {
      throw new UsageError(`option '--${flag.name}' takes no value`);
    }
    switch (flag.name) {
      case "config":
        result.global.config = value as string;
        break;
      case "debug":
        result.global.debug = true;
        break;
      case "quiet":
        result.global.quiet = true;
        break;
      case "json":
        result.global.json = true;
        break;
      case "help":
        result.help = true;
        break;
      case "version":
        result.version = true;
        break;
      default:
        result.flags.set(flag.name, value);
    }
  }
  if (spec?.positional?.required && result.positional.length === 0 && !result.help) {
    throw new UsageError(`'${spec.name}' needs at least one ${spec.positional.name}`);
  }
  if (spec && !spec.positional && result.positional.length > 0) {
    throw new UsageError(`'${spec.name}' takes no arguments (got '${result.positional[0]}')`);
  }
  return result;
}

function splitFlag(arg: string): { name: string; inlineValue: string | undefined } {
  if (arg === "-c") return { name: "config", inlineValue: undefined };
  if (arg === "-h") return { name: "help", inlineValue: undefined };
  if (arg === "-q") return { name: "quiet", inlineValue: undefined };
  if (!arg.startsWith("--")) throw new UsageError(`unknown option '${arg}' (see --help)`);
  const body = arg.slice(2);
  const equals = body.indexOf("=");
  return equals === -1
    ? { name: body, inlineValue: undefined }
    : { name: body.slice(0, equals), inlineValue: body.slice(equals + 1) };
}

/** Positive integer flag value, or undefined when the flag was not given. */
export function integerFlag(args: ParsedArgs, name: string): number | undefined {
  const value = args.flags.get(name);
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`option '--${name}' needs a whole number ≥ 1 (got '${value}')`);
  }
  return Number(value);
}

export function globalHelp(commands: CommandSpec[], version: string): string {
  const lines = [
    `bunsnatch ${version} — PyPI mirror client (PEP 381), compatible with bandersnatch 8`,
    "",
    "Usage: bunsnatch [-c FILE] [--debug] [--quiet] [--json] <command> [options]",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(10)}${command.summary}`),
    "",
    "Global options:",
    ...GLOBAL_FLAGS.map((flag) => `  ${flagLabel(flag).padEnd(22)}${flag.help}`),
    "",
    "Exit codes: 0 all good; 1 some projects failed (serial not advanced); 2 usage or config error;",
    "            3 another run holds the mirror lock.",
    "Run 'bunsnatch <command> --help' for a command's options.",
  ];
  return lines.join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const positional = spec.positional
    ? spec.positional.required
      ? ` ${spec.positional.name}...`
      : ` [${spec.positional.name}...]`
    : "";
  const lines = [`Usage: bunsnatch [global options] ${spec.name} [options]${positional}`, "", spec.summary];
  if (spec.positional)
    lines.push("", "Arguments:", `  ${spec.positional.name.padEnd(22)}${spec.positional.help}`);
  if (spec.flags.length > 0) {
    lines.push("", "Options:", ...spec.flags.map((flag) => `  ${flagLabel(flag).padEnd(22)}${flag.help}`));
  }
  lines.push("", "Global options: -c/--config FILE, --debug, --quiet, --json (see 'bunsnatch --help').");
  return lines.join("\n");
}

function flagLabel(flag: FlagSpec): string {
  const short =
    flag.name === "config" ? "-c, " : flag.name === "help" ? "-h, " : flag.name === "quiet" ? "-q, " : "";
  return `${short}--${flag.name}${flag.value ? ` ${flag.metavar ?? "N"}` : ""}`;
}
