import { executionProvidersHelp, executionProvidersSpec, modelRunOptions } from '../execution-providers';
import { loadModel } from '../../core/onnx/model-file';
import { evaluate } from '../../core/pipeline/evaluation';
import type { Command } from '../command';
import { flag, intOpt, positional, requiredOpt, stringOpt } from '../options';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'perplexity of a model on a text file',
  usage: [
    'Usage: merino eval MODEL --text FILE [options]',
    '',
    'Perplexity over non-overlapping windows of the text (docs/calibration.md).',
    '',
    '  --text FILE        text (tokenized with tokenizer.json, or bytes for a 256-token vocabulary), or .json/.jsonl token ids',
    '  --seqlen N         window length (default: the model context from config.json)',
    '  --max-windows N    evaluate only the first N windows',
    '  --tokenizer F      tokenizer.json (default: one next to the model)',
    '  --batch N          windows per onnxruntime run (default: logits under 256 MiB)',
    '  --threads N        onnxruntime intra-op threads',
    executionProvidersHelp,
    '  --json             print { ppl, tokens, windows, predictions, seqlen, nll } as JSON',
  ].join('\n'),
  options: {
    text: { type: 'string' },
    seqlen: { type: 'string' },
    'max-windows': { type: 'string' },
    tokenizer: { type: 'string' },
    batch: { type: 'string' },
    threads: { type: 'string' },
    ...executionProvidersSpec,
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const model = await loadModel(positional(args, 'MODEL (an .onnx file)'));
    const result = await evaluate(model, {
      text: requiredOpt(args, 'text', 'the evaluation text file'),
      tokenizer: stringOpt(args, 'tokenizer'),
      seqlen: intOpt(args, 'seqlen', 2),
      maxWindows: intOpt(args, 'max-windows'),
      batch: intOpt(args, 'batch'),
      ...modelRunOptions(args, io),
    });
    if (flag(args, 'json')) io.out(JSON.stringify(result) + '\n');
    else io.out(`perplexity ${result.ppl.toFixed(4)} (${result.windows} windows of ${result.seqlen} tokens, ${result.predictions} predictions)\n`);
    return 0;
  },
};
