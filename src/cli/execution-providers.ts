import { UserError } from '../core/errors';
import type { ParsedArgs } from './command';
import { stringOpt } from './options';

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
