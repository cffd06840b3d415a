import type { ParseArgsConfig } from 'node:util';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface CliIO {
  /** Results (tables, JSON) go to stdout. */
  out(text: string): void;
  /** Progress and warnings go to stderr. */
  err(text: string): void;
  isTTY: boolean;
  signal: AbortSignal;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** One `merino <name>` subcommand. Each lives in its own file under src/cli/commands/. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
