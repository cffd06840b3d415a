// Hover, completion, code lenses and quick fixes from the real server process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CodeAction, Diagnostic, MarkupContent, Position } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, fixtureText, fixtureUri, rangeOf } from './lsp-client';

let client: LspClient;
before(async () => {
  client = await LspClient.start({ debounceMs: 0 });
});
after(async () => {
  assert.equal(await client.stop(), 0);
});

const opened = new Map<string, { uri: string; text: string; diagnostics: Diagnostic[] }>();

/** Opens each fixture once (under its own URI) and returns its text and first diagnostics. */
async function open(name: string) {
  if (!opened.has(name)) {
    const uri = fixtureUri(name).replace('.merino.json', '.features.merino.json');
    const text = fixtureText(name);
    const published = client.nextDiagnostics(uri, 1);
    await client.open(uri, text);
    opened.set(name, { uri, text, diagnostics: (await published).diagnostics });
  }
  return opened.get(name)!;
}

/** A position inside the first occurrence of `needle` (one character in). */
function inside(text: string, needle: string): Position {
  const { start } = rangeOf(text, needle);
  return { line: start.line, character: start.character + 1 };
}

async function hoverText(name: string, needle: string): Promise<string> {
  const { uri, text } = await open(name);
  const hover = await client.hover(uri, inside(text, needle));
  assert.ok(hover, `no hover on ${needle}`);
  return (hover.contents as MarkupContent).value;
}

test('hover on "arch": schema description, then params, FLOPs, latency, entropy, ρ and the margin to each budget', async () => {
  const md = await hoverText('gpt2-small.merino.json', '"arch"');
  assert.match(md, /^Architecture\n\nOne concrete architecture/); // the schema's title and description come first
  // GPT-2 small has 124,439,808 parameters (ALGORITHMS.md §4); budget 150M → (150 − 124.44) / 150 = 17.0% left.
  assert.match(md, /\| Parameters \| 124\.4M \(\+17\.0%\) \| 150M \|/);
  assert.match(md, /\| FLOPs \(S = 1024\) \| [\d.]+G \(\+[\d.]+%\) \| 400G \|/);
  assert.match(md, /\| Latency \(decode, my-board, S = 1024\) \| [\d.]+ ms \(\+[\d.]+%\) \| 20 ms \|/);
  // H = 12 · (ln 768 + ln 3072) = 176.09 nats; ρ = 12 / 768 = 0.0156, β = 1/16 → 75% margin.
  assert.match(md, /\| Entropy H \(nats\) \| 176\.09 \|/);
  assert.match(md, /\| ρ = layers \/ min width \| 0\.0156 \(\+75\.0%\) \| β = 0\.0625 \|/);
  assert.match(md, /Fits every budget\.$/);
});

test('hover on a block describes the block, then the arch figures', async () => {
  const md = await hoverText('gpt2-small.merino.json', '"layers": 12');
  assert.match(md, /\*\*block 0\*\*: 12 layers × width 768, 12 heads of 64, FFN 3072/);
  assert.match(md, /\| Parameters \| 124\.4M/);
});

test('hover on a budget without arch shows the smallest and largest architectures of the search space', async () => {
  const md = await hoverText('search-space-only.merino.json', '"budget"');
  assert.match(md, /^Budgets\n/);
  assert.match(md, /\|  \| smallest \| largest \| budget \|/);
  // Smallest: 1 layer × 256, SwiGLU ×2, RMSNorm, no bias, RoPE, tied V = 32000 → 8,848,128 params (86.2% under 64M).
  assert.match(md, /\| Parameters \| 8\.848M \(\+86\.2%\) \| [\d.]+M \(−[\d.]+%\) \| 64M \|/);
});

test('hover over budget shows what is exceeded', async () => {
  const md = await hoverText('over-budget.merino.json', '"arch"');
  assert.match(md, /Over budget: params, flops\.$/);
});

test('hover elsewhere is the schema hover alone', async () => {
  const md = await hoverText('gpt2-small.merino.json', '"vocabSize"');
  assert.doesNotMatch(md, /Parameters/);
  assert.match(md, /^Vocabulary size/);
});

test('completion of budget.latency.device: the file\'s devices, then the presets', async () => {
  const { uri, text } = await open('search-space-only.merino.json');
  const list = await client.completion(uri, inside(text, '"raspberry-pi-4"'));
  const items = Array.isArray(list) ? list : list!.items;
  const labels = items.map((i) => i.label);
  for (const name of ['"pi5-measured"', '"raspberry-pi-3b"', '"raspberry-pi-4"', '"jetson-orin-nano-8gb"', '"apple-a17-pro-ane"']) assert.ok(labels.includes(name), name);
  assert.equal(new Set(labels).size, labels.length, 'a device is offered twice');
  const devices = items.filter((i) => i.sortText !== undefined && /^"/.test(i.label)).sort((a, b) => a.sortText!.localeCompare(b.sortText!));
  assert.deepEqual(devices.map((i) => i.label), ['"pi5-measured"', '"raspberry-pi-3b"', '"raspberry-pi-4"', '"jetson-orin-nano-8gb"', '"apple-a17-pro-ane"']);
  const own = items.find((i) => i.label === '"pi5-measured"')!;
  assert.equal(own.detail, 'device defined in this file');
  assert.deepEqual(own.textEdit, { range: rangeOf(text, '"raspberry-pi-4"'), newText: '"pi5-measured"' });
});

test('completion of property names comes from the schema', async () => {
  const uri = fixtureUri('typing.merino.json');
  const text = '{\n  "model": {  }\n}\n';
  await client.open(uri, text);
  const list = await client.completion(uri, { line: 1, character: 14 });
  const labels = (Array.isArray(list) ? list : list!.items).map((i) => i.label);
  for (const key of ['vocabSize', 'context', 'tiedEmbeddings', 'norm', 'mlp']) assert.ok(labels.includes(key), key);
  await client.close(uri);
});

test('code lenses at the top: Estimate, Run search, Open results, with the document URI', async () => {
  const { uri } = await open('valid.merino.json');
  const lenses = await client.codeLens(uri);
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  assert.deepEqual(lenses, [
    { range: top, command: { title: 'Estimate', command: 'merino.estimate', arguments: [uri] } },
    { range: top, command: { title: 'Run search', command: 'merino.runSearch', arguments: [uri] } },
    { range: top, command: { title: 'Open results', command: 'merino.openResults', arguments: [uri] } },
  ]);
});

/** Asks for the quick fix of the diagnostic with `code`, applies it, and returns the new diagnostics. */
async function applyQuickFix(name: string, code: string): Promise<{ action: CodeAction; text: string; after: Diagnostic[] }> {
  const { uri, text, diagnostics } = await open(name);
  const diagnostic = diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `no ${code} diagnostic`);
  const actions = (await client.codeActions(uri, diagnostic.range, [diagnostic])) as CodeAction[];
  assert.equal(actions.length, 1);
  const [action] = actions;
  assert.equal(action.kind, 'quickfix');
  const edits = action.edit!.changes![uri];
  const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'json', 1, text), edits);
  const next = client.nextDiagnostics(uri, 2);
  await client.change(uri, fixed);
  return { action, text: fixed, after: (await next).diagnostics };
}

test('quick fix: round a width to the nearest multiple of its heads', async () => {
  const { action, text, after } = await applyQuickFix('width-heads.merino.json', 'arch-width-heads');
  assert.equal(action.title, 'Change to 504');
  assert.match(text, /"width": 504, "heads": 8/);
  assert.ok(!after.some((d) => d.code === 'arch-width-heads'));
});

test('quick fix: put a min/max pair in order', async () => {
  const { action, text, after } = await applyQuickFix('range-inverted.merino.json', 'range-inverted');
  assert.equal(action.title, 'Swap min and max (2, 8)');
  assert.match(text, /"layersPerBlock": \{ "min": 2, "max": 8 \}/);
  assert.deepEqual(after, []);
});

test('quick fix: replace an unknown device with the nearest known name', async () => {
  const { action, text, after } = await applyQuickFix('unknown-device.merino.json', 'unknown-device');
  assert.equal(action.title, 'Replace with "raspberry-pi-4"');
  assert.match(text, /"device": "raspberry-pi-4"/);
  assert.deepEqual(after, []);
});

test('no quick fix for a diagnostic without fix data', async () => {
  const { uri, diagnostics } = await open('over-budget.merino.json');
  const actions = await client.codeActions(uri, diagnostics[0].range, diagnostics);
  assert.deepEqual(actions, []);
});

test('a client that drops Diagnostic.data still gets the fix, matched by code and range', async () => {
  const uri = fixtureUri('unknown-device.merino.json').replace('.merino.json', '.nodata.merino.json');
  const text = fixtureText('unknown-device.merino.json');
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, text);
  const [diagnostic] = (await published).diagnostics;
  const { data: _dropped, ...withoutData } = diagnostic;
  const actions = (await client.codeActions(uri, diagnostic.range, [withoutData])) as CodeAction[];
  assert.deepEqual(actions.map((a) => a.title), ['Replace with "raspberry-pi-4"']);
  await client.close(uri);
});
