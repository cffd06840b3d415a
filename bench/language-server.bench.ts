// Language server latency: time from didChange to publishDiagnostics (debounce set to 0 through the
// initialization options, so the figure is the server's own work plus the stdio round trip), for a
// typical design file and for a 1,000-block file; and hover latency on `arch`. Target: p95 ≤ 30 ms
// for the typical file (docs/language-server.md).
import { LspClient, fixtureText, fixtureUri, rangeOf } from '../test/server/lsp-client';

const WARMUP = 20;
const RUNS = 200;
const RUNS_LARGE = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const r = (x: number) => Number(x.toFixed(2));
  return { runs: times.length, p50Ms: r(percentile(sorted, 50)), p95Ms: r(percentile(sorted, 95)), maxMs: r(sorted[sorted.length - 1]) };
}

/** A file whose arch has `blocks` blocks (more than the schema's 64: it also measures reporting that). */
function manyBlocks(blocks: number): string {
  const base = JSON.parse(fixtureText('gpt2-small.merino.json'));
  base.arch.blocks = Array.from({ length: blocks }, (_, i) => ({ layers: 1 + (i % 4), width: 512 + 64 * (i % 4), heads: 8, ffnRatio: 4 }));
  return JSON.stringify(base, null, 2);
}

/** Edits one number per run (so every version differs) and times didChange → publishDiagnostics. */
async function timeChanges(client: LspClient, uri: string, text: string, runs: number): Promise<number[]> {
  const first = client.nextDiagnostics(uri, 1, 60_000);
  await client.open(uri, text);
  await first;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const edited = text.replace('"ms": 20', `"ms": ${21 + (i % 50)}`);
    const published = client.nextDiagnostics(uri, i + 2, 60_000);
    const start = performance.now();
    await client.change(uri, edited);
    await published;
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  return times;
}

async function timeHovers(client: LspClient, uri: string, text: string, runs: number): Promise<number[]> {
  const { start } = rangeOf(text, '"arch"');
  const times: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const t = performance.now();
    await client.hover(uri, { line: start.line, character: start.character + 1 });
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  return times;
}

export async function run() {
  const client = await LspClient.start({ debounceMs: 0 });
  try {
    const typicalText = fixtureText('gpt2-small.merino.json');
    const typicalUri = fixtureUri('gpt2-small.merino.json').replace('.merino.json', '.bench.merino.json');
    const largeText = manyBlocks(1000);
    const largeUri = fixtureUri('blocks-1000.bench.merino.json');
    const typical = summary(await timeChanges(client, typicalUri, typicalText, RUNS));
    const hover = summary(await timeHovers(client, typicalUri, typicalText, RUNS));
    const large = summary(await timeChanges(client, largeUri, largeText, RUNS_LARGE));
    const figures = {
      typical: { chars: typicalText.length, ...typical },
      blocks1000: { chars: largeText.length, ...large },
      hoverTypical: hover,
      targetP95Ms: 30,
      meetsTarget: typical.p95Ms <= 30,
    };
    console.log(`didChange → publishDiagnostics, typical file (${typicalText.length} chars): p50 ${typical.p50Ms} ms, p95 ${typical.p95Ms} ms (target ≤ 30)`);
    console.log(`didChange → publishDiagnostics, 1,000-block file (${largeText.length} chars): p50 ${large.p50Ms} ms, p95 ${large.p95Ms} ms`);
    console.log(`hover on "arch", typical file: p50 ${hover.p50Ms} ms, p95 ${hover.p95Ms} ms`);
    return figures;
  } finally {
    await client.stop();
  }
}
