import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { designStem, loadDesign } from '../../core/config/design-file';
import { searchArchitectures } from '../../core/merino/evolutionary-search';
import { resultsTable } from '../../core/merino/figures-table';
import { measureLatency } from '../../core/merino/measured-latency';
import { buildSkeletonModel } from '../../core/merino/onnx-skeleton';
import { writeJsonAtomic } from '../../core/atomic-write';
import { type ResultsFile, buildResults, entryArch } from '../../core/merino/results-file';
import { saveModel } from '../../core/onnx/save-model';
import type { CliIO, Command, ParsedArgs } from '../command';
import { executionProvidersHelp, executionProvidersSpec, modelRunOptions } from '../execution-providers';
import { flag, intOpt, positional, stringOpt } from '../options';
import { progressPrinter } from '../progress-printer';

/** Builds the skeletons of the first `count` results and times them with onnxruntime (3 runs after 1 warm-up). */
async function measureTop(results: ResultsFile, count: number, args: ParsedArgs, io: CliIO): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'merino-search-'));
  const seqLen = results.budget.latency?.seqLen ?? Math.min(128, results.model.context);
  const run = modelRunOptions(args, io);
  const machine = `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, onnxruntime-node ${(run.executionProviders ?? ['cpu']).join(',')}`;
  try {
    for (const entry of results.top.slice(0, count)) {
      const path = join(dir, `rank${entry.rank}.onnx`);
      await saveModel({ proto: buildSkeletonModel(entryArch(entry), results.model, { kvCache: true }) }, path, { signal: io.signal });
      const m = await measureLatency(path, results.model.vocabSize, { seqLen, runs: 3, warmup: 1, ...run });
      entry.measured = { seqLen, prefillMs: m.prefillMs, decodeMs: m.decodeMs, runs: m.runs, machine };
      await rm(path, { force: true });
      await rm(`${path}.data`, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'MeRino search: highest-entropy decoders that fit a design\'s budgets',
  usage: [
    'Usage: merino search FILE.merino.json [--seed S] [--json] [--out PATH]',
    '',
    'Evolutionary search (docs/merino-design.md); deterministic for a seed. Writes NAME.merino.results.json',
    'next to the design file (top-k, Pareto front, config hash, seed, time) and prints the top-k table.',
    '',
    '  --seed S      overrides search.seed',
    '  --out PATH    results file (default: NAME.merino.results.json beside FILE)',
    '  --json        print the results file to stdout instead of the table',
    '  --measure K   also build the ONNX skeletons of the first K results and time them with onnxruntime',
    '                on this machine (prefill of the latency budget\'s seqLen, default 128, and one decode step)',
    '  --threads N   onnxruntime intra-op threads for --measure',
    executionProvidersHelp,
  ].join('\n'),
  options: { seed: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, measure: { type: 'string' }, threads: { type: 'string' }, ...executionProvidersSpec },
  async run(args, io) {
    const file = positional(args, 'FILE.merino.json');
    const config = await loadDesign(file);
    const outcome = await searchArchitectures(config, { seed: intOpt(args, 'seed', 0, 4294967295), signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) });
    const results = buildResults(config, outcome, file);
    const measure = intOpt(args, 'measure', 0, 1000) ?? 0;
    if (measure) await measureTop(results, measure, args, io);
    const out = stringOpt(args, 'out') ?? join(dirname(file), `${designStem(file)}.merino.results.json`);
    await writeJsonAtomic(out, results);
    if (flag(args, 'json')) io.out(JSON.stringify(results, null, 2) + '\n');
    else {
      io.out(resultsTable(results.top.map((e) => ({ rank: e.rank, arch: entryArch(e), estimate: e }))));
      for (const e of results.top.filter((t) => t.measured)) {
        const m = e.measured!;
        io.out(`rank ${e.rank} measured on this machine: prefill ${m.seqLen} tokens ${m.prefillMs.toFixed(1)} ms, decode ${m.decodeMs?.toFixed(2)} ms (median of ${m.runs})\n`);
      }
      io.out(`${outcome.iterations} iterations${outcome.stoppedEarly ? ' (converged)' : ''}, ${outcome.evaluated} architectures evaluated, ${results.pareto.length} on the Pareto front, ${(outcome.elapsedMs / 1000).toFixed(1)} s, seed ${outcome.seed}\n`);
    }
    io.err(`results written to ${out}\n`);
    return 0;
  },
};
