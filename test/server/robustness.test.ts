// Huge, deeply nested and malformed documents never crash or stall the server; cancelled requests are cancelled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { LSPErrorCodes, type MarkupContent } from 'vscode-languageserver-protocol';
import { LspClient, SERVER, fixtureText, fixtureUri, rangeOf } from './lsp-client';

let client: LspClient;
before(async () => {
  client = await LspClient.start({ debounceMs: 0 });
});
after(async () => {
  assert.equal(await client.stop(), 0, client.stderr.join(''));
});

/** The server still answers: a hover on a normal design returns its figures. */
async function assertResponsive(): Promise<void> {
  const uri = fixtureUri('gpt2-small.merino.json').replace('.merino.json', '.alive.merino.json');
  const text = fixtureText('gpt2-small.merino.json');
  if (!client.published.some((p) => p.uri === uri)) {
    const first = client.nextDiagnostics(uri, 1);
    await client.open(uri, text);
    await first;
  }
  const { start } = rangeOf(text, '"arch"');
  const hover = await client.hover(uri, { line: start.line, character: start.character + 1 });
  assert.match((hover!.contents as MarkupContent).value, /\| Parameters \| 124\.4M/);
}

test('a 10 MB document gets one info diagnostic and no analysis; hover and completion answer null', async () => {
  const uri = fixtureUri('huge.merino.json');
  const text = `{ "name": "huge", "description": "${'x'.repeat(10 * 1024 * 1024)}" }`;
  const published = client.nextDiagnostics(uri, 1, 30_000);
  await client.open(uri, text);
  const { diagnostics } = await published;
  assert.deepEqual(diagnostics, [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 3,
      source: 'merino',
      code: 'too-large',
      message: 'This file is 10.0 MB, above the 1.0 MB analysis limit: schema and MeRino checks, hover and completion are off for it.',
    },
  ]);
  assert.equal(await client.hover(uri, { line: 0, character: 5 }), null);
  assert.equal(await client.completion(uri, { line: 0, character: 5 }), null);
  await assertResponsive();
  await client.close(uri);
});

test('10,000 levels of nesting: one error at the 65th level, no stack overflow, the server stays responsive', async () => {
  for (const [name, text] of [
    ['deep-objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
    ['deep-arrays-unclosed', '['.repeat(10_000)],
  ]) {
    const uri = fixtureUri(`${name}.merino.json`);
    const published = client.nextDiagnostics(uri, 1);
    await client.open(uri, text);
    const { diagnostics } = await published;
    const opener = name === 'deep-objects' ? 5 : 1; // characters per level
    assert.deepEqual(diagnostics.map((d) => [d.code, d.severity, d.range.start.character, d.range.end.character]), [['too-deep', 1, 64 * opener, 64 * opener + 1]]);
    assert.match(String(diagnostics[0].message), /^Nesting deeper than 64 levels/);
    assert.equal(await client.hover(uri, { line: 0, character: 3 }), null);
    await assertResponsive();
    await client.close(uri);
  }
});

test('oversized arrays and objects are checked by the bounded validator: quick answers, no O(n²) stall', async () => {
  // vscode-json-languageservice compares uniqueItems pairwise: 16,000 heads took 13 s in-process.
  const design = {
    searchSpace: { heads: Array.from({ length: 20_000 }, (_, i) => i + 1) },
    devices: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`board-${i}`, { peakFlops: '1G', memBandwidth: '1G' }])),
  };
  const text = JSON.stringify(design);
  const uri = fixtureUri('oversized.merino.json');
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, text);
  const { diagnostics } = await published;
  const headsStart = text.indexOf('[');
  const tooMany = diagnostics.filter((d) => d.message === 'Array has too many items. Expected 64 or fewer.');
  assert.deepEqual(tooMany.map((d) => [d.code, d.range.start.character]), [['schema', headsStart]]);
  assert.ok(diagnostics.some((d) => d.message === 'Object has more properties than limit of 64.'));
  assert.ok(diagnostics.length <= 200);
  assert.equal(await client.completion(uri, { line: 0, character: 20 }), null);
  await assertResponsive();
  await client.close(uri);
});

test('tens of thousands of problems within the container limit: bounded too, at most 200 reported', async () => {
  // 200 blocks × 200 wrong values: 40,000 values, each container ≤ 256 entries.
  const blocks = Array.from({ length: 200 }, () => ({ layers: Array.from({ length: 200 }, () => 'x') }));
  const uri = fixtureUri('many-problems.merino.json');
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, JSON.stringify({ arch: { blocks } }));
  const { diagnostics } = await published;
  assert.ok(diagnostics.length > 0 && diagnostics.length <= 200, String(diagnostics.length));
  assert.ok(diagnostics.some((d) => d.message === 'Array has too many items. Expected 64 or fewer.'));
  await assertResponsive();
  await client.close(uri);
});

test('brackets inside strings do not count as nesting', async () => {
  const uri = fixtureUri('brackets-in-strings.merino.json');
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, `{ "name": "${'[{'.repeat(100)}", "description": "\\"${'{'.repeat(100)}${'[{'.repeat(2000)}" }`);
  // The file is a valid (if empty) design: only the whole-file note that it has no budget, on its first character.
  assert.deepEqual((await published).diagnostics.map((d) => [d.code, d.range.start.character, d.range.end.character]), [['no-budget', 0, 1]]);
  await client.close(uri);
});

test('garbage text gets syntax diagnostics, not a crash', async () => {
  const uri = fixtureUri('garbage.merino.json');
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, '\u0000}{][:,"\\u12"\n/* unterminated');
  const { diagnostics } = await published;
  assert.ok(diagnostics.length > 0);
  assert.ok(diagnostics.every((d) => d.code === 'json-syntax' || d.code === 'schema'), JSON.stringify(diagnostics));
  await assertResponsive();
  await client.close(uri);
});

test('a request cancelled by the client is answered with RequestCancelled', async () => {
  // Request and $/cancelRequest in one write, so the cancel is on the wire before the server dispatches the request.
  const frame = (m: object) => {
    const body = JSON.stringify({ jsonrpc: '2.0', ...m });
    return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.write(
    frame({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }) +
      frame({ method: 'initialized', params: {} }) +
      frame({ id: 2, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///x.merino.json' }, position: { line: 0, character: 0 } } }) +
      frame({ method: '$/cancelRequest', params: { id: 2 } }),
  );
  const deadline = Date.now() + 10_000;
  while (!out.includes('"id":2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill();
  const response = out.split(/Content-Length: \d+\r\n\r\n/).filter(Boolean).map((b) => JSON.parse(b)).find((m) => m.id === 2);
  assert.equal(response?.error?.code, LSPErrorCodes.RequestCancelled);
  await assertResponsive();
});
