import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../core/errors';
import { compareMethods } from '../../core/pipeline/compare-methods';
import { DEFAULT_SAMPLES, DEFAULT_SEED, DEFAULT_BINS, methodDefaults, type MethodOptions } from '../../core/pipeline/prune-options';
import { parsePattern } from '../../core/prune/pattern';
import type { Command } from '../command';
import { formatCompareTable } from '../compare-table';
import { executionProvidersHelp, executionProvidersSpec, modelRunOptions } from '../execution-providers';
import { flag, intOpt } from '../options';

/** Evaluation windows the demo uses by default: the first 128 of eval.txt (32,640 predictions), the same for every method. */
const DEMO_EVAL_WINDOWS = 128;

/** The bundled demo folder (demo/ at the repository or package root). */
export function demoFolder(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'demo', 'tiny-gpt.onnx'))) return join(dir, 'demo');
  }
  throw new UserError('the bundled demo model (demo/tiny-gpt.onnx) is missing', 'run from a clone of the repository');
}

/** The demo's method variants at one pattern: the two baselines, and E-Sparse without and with the channel shuffle. */
function demoMethods(pattern: string): MethodOptions[] {
  const p = parsePattern(pattern);
  return [
    methodDefaults('magnitude', { pattern: p }),
    methodDefaults('wanda', { pattern: p }),
    methodDefaults('esparse', { pattern: p, shuffle: 'none' }),
    methodDefaults('esparse', { pattern: p, shuffle: 'both' }),
  ];
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'prune the bundled demo model at 2:4 and 4:8 with every method and compare',
  usage: [
    'Usage: merino demo [--samples N] [--max-windows N] [--threads N] [--execution-providers LIST] [--json]',
    '',
    'Prunes demo/tiny-gpt.onnx (a small byte-level GPT, docs/demo-models.md) at 2:4 and 4:8 with magnitude,',
    'Wanda and E-Sparse (with and without channel shuffle), calibrated on demo/calib.txt, and prints',
    `perplexity on the first ${DEMO_EVAL_WINDOWS} windows of demo/eval.txt (--max-windows to change) next to the dense model.`,
    '',
    '  --threads N        onnxruntime intra-op threads',
    executionProvidersHelp,
  ].join('\n'),
  options: { samples: { type: 'string' }, 'max-windows': { type: 'string' }, threads: { type: 'string' }, ...executionProvidersSpec, json: { type: 'boolean' } },
  async run(args, io) {
    const dir = demoFolder();
    const result = await compareMethods(join(dir, 'tiny-gpt.onnx'), {
      methods: [...demoMethods('2:4'), ...demoMethods('4:8')],
      calibration: { calib: join(dir, 'calib.txt'), samples: intOpt(args, 'samples') ?? DEFAULT_SAMPLES, seed: DEFAULT_SEED, bins: DEFAULT_BINS },
      evaluation: { text: join(dir, 'eval.txt'), maxWindows: intOpt(args, 'max-windows') ?? DEMO_EVAL_WINDOWS },
      ...modelRunOptions(args, io),
    });
    io.out(flag(args, 'json') ? JSON.stringify(result, null, 2) + '\n' : formatCompareTable(result));
    return 0;
  },
};
