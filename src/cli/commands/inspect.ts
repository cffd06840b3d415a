import { loadModel } from '../../core/onnx/model-file';
import { CHECKED_PATTERNS, summarizeModel, type ModelSummary, type NamedValue } from '../../core/onnx/model-summary';
import type { Command } from '../command';
import { flag, positional } from '../options';
import { progressPrinter } from '../progress-printer';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'inputs, prunable layers, sibling groups and current N:M sparsity of a model',
  usage: [
    'Usage: merino inspect MODEL [--json]',
    '',
    'Shows the inputs and outputs, opset, parameter count, external data, the prunable linear',
    'layers (shape, stored layout, K/N axes, block, sibling group, sparsity, whether 2:4 / 4:8 hold',
    'along K) and the layers left out with the reason (docs/onnx-io.md).',
    '',
    '  --json   print the summary as one JSON object',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const model = await loadModel(positional(args, 'MODEL (an .onnx file)'));
    const summary = await summarizeModel(model, { signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) });
    io.out(flag(args, 'json') ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
    return 0;
  },
};

function formatSummary(s: ModelSummary): string {
  const opsets = Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ');
  const external = s.externalData.length ? s.externalData.map((f) => `${f.location} (${f.bytes.toLocaleString('en-US')} bytes)`).join(', ') : 'none';
  const lines = [
    `model       ${s.path}`,
    `format      ir ${s.irVersion}, opset ${opsets}${s.producer ? `, from ${s.producer}` : ''}`,
    `parameters  ${s.parameters.toLocaleString('en-US')}`,
    `external    ${external}`,
    `vocabulary  ${s.vocabSize ?? 'unknown'}, context ${s.contextLength ?? 'unknown'}`,
    '',
    'inputs', ...table(s.inputs.map(valueRow)),
    '', 'outputs', ...table(s.outputs.map(valueRow)),
    '', `prunable layers (${s.layers.length})`, ...layerTable(s),
    '', `sibling groups (${s.siblings.length}): layers reading the same activation`,
    ...s.siblings.map((g, i) => `  ${i}: ${g.join(', ')}`),
    '', `lm_head     ${s.lmHead ? `${s.lmHead.name} (K=${s.lmHead.K}, N=${s.lmHead.N}), excluded` : 'not found'}`,
    '', `excluded (${s.excluded.length})`, ...table(s.excluded.map((e) => [e.node, e.op, e.reason])),
  ];
  return lines.join('\n') + '\n';
}

function valueRow(v: NamedValue): string[] {
  return [v.name, v.dtype, `[${v.dims.map((d) => d ?? '?').join(', ')}]`];
}

function layerTable(s: ModelSummary): string[] {
  const patterns = CHECKED_PATTERNS.map(([n, m]) => `${n}:${m}`);
  const header = ['block', 'layer', 'op', 'weight shape', 'layout', 'K', 'N', 'dtype', 'group', 'sparsity', ...patterns];
  const rows = s.layers.map((l) => [
    l.block ?? '-', l.name, l.op, l.layout === 'KN' ? `[${l.K}, ${l.N}]` : `[${l.N}, ${l.K}]`, l.layout, String(l.K), String(l.N), l.dtype,
    String(l.siblingGroup), `${(l.sparsity * 100).toFixed(1)}%`, ...patterns.map((p) => (l.nm[p] ? 'yes' : 'no')),
  ]);
  return table([header, ...rows]);
}

/** Left-aligned columns, two spaces apart, indented by two. */
function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`);
}
