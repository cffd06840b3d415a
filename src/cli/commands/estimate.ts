import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MerinoConfig } from '../../core/config/merino-config';
import { loadDesign } from '../../core/config/design-file';
import { UserError } from '../../core/errors';
import type { Arch } from '../../core/merino/architecture';
import { estimateArch } from '../../core/merino/estimate';
import { estimateTable } from '../../core/merino/figures-table';
import { type MeasuredLatency, type MeasureOptions, measureLatency } from '../../core/merino/measured-latency';
import { buildSkeletonModel } from '../../core/merino/onnx-skeleton';
import { spaceExtremes } from '../../core/merino/search-space';
import { saveModel } from '../../core/onnx/save-model';
import type { CliIO, Command } from '../command';
import { executionProvidersFromArgs, executionProvidersHelp, executionProvidersSpec } from '../execution-providers';
import { flag, intOpt, positional } from '../options';
import { progressPrinter } from '../progress-printer';

/** Builds the skeleton in a temporary folder and times it with onnxruntime. */
async function measure(arch: Arch, config: MerinoConfig, opts: Omit<MeasureOptions, 'signal' | 'onProgress'>, io: CliIO): Promise<MeasuredLatency> {
  const dir = await mkdtemp(join(tmpdir(), 'merino-measure-'));
  try {
    const path = join(dir, 'skeleton.onnx');
    await saveModel({ proto: buildSkeletonModel(arch, config.model, { kvCache: true }) }, path, { signal: io.signal });
    return await measureLatency(path, config.model.vocabSize, { ...opts, signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How a figure was measured: runtime, execution providers, threads, runs. */
function measuredOn(m: MeasuredLatency): string {
  return `onnxruntime-node, execution providers ${m.executionProviders.join(',')}${m.threads ? `, ${m.threads} threads` : ''}, median of ${m.runs}`;
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'params, FLOPs, latency and entropy of a design\'s arch (or its search-space extremes)',
  usage: [
    'Usage: merino estimate FILE.merino.json [--json] [--measure]',
    '',
    'Figures of the file\'s "arch", or of the smallest and largest architecture of its search space.',
    'Latency is the roofline estimate on the latency budget\'s device (docs/merino-format.md).',
    '',
    '  --json          print the figures as JSON',
    '  --measure       also build the ONNX skeleton and time it with onnxruntime on this machine',
    '                  (prefill of the latency budget\'s seqLen, default 128 tokens, and one decode step)',
    '  --runs N        timed runs per figure (median; default 5, after 2 warm-up runs)',
    '  --threads N     onnxruntime intra-op threads',
    executionProvidersHelp,
  ].join('\n'),
  options: { json: { type: 'boolean' }, measure: { type: 'boolean' }, runs: { type: 'string' }, threads: { type: 'string' }, ...executionProvidersSpec },
  async run(args, io) {
    const file = positional(args, 'FILE.merino.json');
    const config = await loadDesign(file);
    const targets: { label: string; arch: Arch }[] = [];
    if (config.arch) targets.push({ label: 'arch', arch: config.arch });
    else {
      const ext = spaceExtremes(config.searchSpace);
      if (!ext) throw new UserError(`${file}: the search space holds no architecture`, `run merino check ${file}`);
      targets.push({ label: 'smallest', arch: ext.smallest }, { label: 'largest', arch: ext.largest });
    }
    const seqLen = config.budget.latency?.seqLen ?? Math.min(128, config.model.context);
    const timing = flag(args, 'measure') ? { seqLen, runs: intOpt(args, 'runs'), threads: intOpt(args, 'threads'), executionProviders: executionProvidersFromArgs(args) } : undefined;
    const columns = [];
    for (const t of targets) {
      const e = estimateArch(t.arch, config);
      const measured = timing ? await measure(t.arch, config, timing, io) : undefined;
      columns.push({ ...t, e, measured });
    }
    // `measured` is a MeasuredPoint: paste it into devices.NAME.measured to calibrate a profile.
    const point = (arch: Arch, m: MeasuredLatency) => ({ arch, seqLen, prefillMs: m.prefillMs, decodeMs: m.decodeMs, note: `${measuredOn(m)}, ${new Date().toISOString().slice(0, 10)}` });
    if (flag(args, 'json')) io.out(JSON.stringify(columns.map(({ label, arch, e, measured }) => ({ label, arch, ...e, ...(measured ? { measured: point(arch, measured) } : {}) })), null, 2) + '\n');
    else io.out(estimateTable(columns) + (columns[0]?.measured ? `measured: ${measuredOn(columns[0].measured)}\n` : ''));
    return 0;
  },
};
