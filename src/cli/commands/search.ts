import { dirname, join } from 'node:path';
import { designStem, loadDesign } from '../../core/config/design-file';
import { searchArchitectures } from '../../core/merino/evolutionary-search';
import { resultsTable } from '../../core/merino/figures-table';
import { buildResults, entryArch, writeJsonAtomic } from '../../core/merino/results-file';
import type { Command } from '../command';
import { flag, intOpt, positional, stringOpt } from '../options';
import { progressPrinter } from '../progress-printer';

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
  ].join('\n'),
  options: { seed: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } },
  async run(args, io) {
    const file = positional(args, 'FILE.merino.json');
    const config = await loadDesign(file);
    const outcome = await searchArchitectures(config, { seed: intOpt(args, 'seed', 0, 4294967295), signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) });
    const results = buildResults(config, outcome, file);
    const out = stringOpt(args, 'out') ?? join(dirname(file), `${designStem(file)}.merino.results.json`);
    await writeJsonAtomic(out, results);
    if (flag(args, 'json')) io.out(JSON.stringify(results, null, 2) + '\n');
    else {
      io.out(resultsTable(results.top.map((e) => ({ rank: e.rank, arch: entryArch(e), estimate: e }))));
      io.out(`${outcome.iterations} iterations${outcome.stoppedEarly ? ' (converged)' : ''}, ${outcome.evaluated} architectures evaluated, ${results.pareto.length} on the Pareto front, ${(outcome.elapsedMs / 1000).toFixed(1)} s, seed ${outcome.seed}\n`);
    }
    io.err(`results written to ${out}\n`);
    return 0;
  },
};
