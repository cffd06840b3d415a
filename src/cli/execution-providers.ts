import { UserError } from '../core/errors';
import type { CliIO, ParsedArgs } from './command';
import { intOpt, stringOpt } from './options';
import { progressPrinter } from './progress-printer';

/** `--execution-providers LIST` of the commands that run models (prune, compare, stats, eval). */
export const executionProvidersSpec = { 'execution-providers': { type: 'string' } } as const;

export const executionProvidersHelp = '  --execution-providers LIST  onnxruntime-node execution providers in order of preference, comma-separated (default cpu)';

/** The providers named by `--execution-providers`, or undefined (onnxruntime's default, cpu). */
export function executionProvidersFromArgs(args: ParsedArgs): string[] | undefined {
  const v = stringOpt(args, 'execution-providers');
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UserError('--execution-providers is empty', 'give e.g. cpu');
  return list;
}

/** What every command that runs a model passes to the engine: --threads, --execution-providers, Ctrl-C and progress on stderr. */
export function modelRunOptions(args: ParsedArgs, io: CliIO) {
  return { threads: intOpt(args, 'threads'), executionProviders: executionProvidersFromArgs(args), signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) };
}
