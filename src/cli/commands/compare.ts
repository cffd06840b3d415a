import { modelRunOptions } from '../execution-providers';
import { UserError } from '../../core/errors';
import { compareMethods } from '../../core/pipeline/compare-methods';
import type { MethodOptions } from '../../core/pipeline/prune-options';
import type { Command, ParsedArgs } from '../command';
import { formatCompareTable } from '../compare-table';
import { flag, positional, requiredOpt, stringOpt } from '../options';
import { calibrationFromArgs, evaluationFromArgs, methodFromArgs, parseMethod, pruneOptionSpecs, pruneOptionsHelp, selectionFromArgs } from './prune-args';

export const compareCommand: Command = {
  name: 'compare',
  summary: 'run several pruning methods on one set of calibration statistics and compare perplexity',
  usage: [
    'Usage: merino compare MODEL --calib FILE --eval FILE --pattern 2:4 [--methods esparse,wanda,magnitude] [options]',
    '',
    'Calibrates once, prunes with each method (in a temp folder), and prints perplexity, retained score,',
    'time and the mask overlap between methods. A method may name its shuffle: esparse/none, wanda/both.',
    '',
    '  --methods LIST     comma-separated methods (default esparse,wanda,magnitude)',
    pruneOptionsHelp,
  ].join('\n'),
  options: { ...pruneOptionSpecs, methods: { type: 'string' } },
  async run(args, io) {
    const modelPath = positional(args, 'MODEL (an .onnx file)');
    requiredOpt(args, 'eval', 'the evaluation text file');
    const result = await compareMethods(modelPath, {
      ...selectionFromArgs(args),
      methods: parseMethodList(args, stringOpt(args, 'methods') ?? 'esparse,wanda,magnitude'),
      calibration: calibrationFromArgs(args),
      evaluation: evaluationFromArgs(args)!,
      ...modelRunOptions(args, io),
    });
    io.out(flag(args, 'json') ? JSON.stringify(result, null, 2) + '\n' : formatCompareTable(result));
    return 0;
  },
};

/** "esparse,wanda/both" → method options; `/shuffle` overrides the method's default shuffle. */
export function parseMethodList(args: ParsedArgs, list: string): MethodOptions[] {
  const items = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UserError('--methods is empty', 'give e.g. esparse,wanda,magnitude');
  return items.map((item) => {
    const [name, shuffle] = item.split('/');
    return methodFromArgs(args, parseMethod(name!), shuffle);
  });
}
