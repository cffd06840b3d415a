// Diagnostics published by the real server for each kind of problem, with exact ranges, codes and messages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, fixtureText, fixtureUri, rangeOf } from './lsp-client';

let client: LspClient;
before(async () => {
  client = await LspClient.start({ debounceMs: 0 });
});
after(async () => {
  assert.equal(await client.stop(), 0);
});

/** Opens a fixture under a fresh URI (tests must not share document state) and returns its first diagnostics. */
async function openFixture(name: string, tag: string): Promise<{ uri: string; text: string; diagnostics: Diagnostic[] }> {
  const uri = fixtureUri(name).replace('.merino.json', `.${tag}.merino.json`);
  const text = fixtureText(name);
  const published = client.nextDiagnostics(uri, 1);
  await client.open(uri, text);
  return { uri, text, diagnostics: (await published).diagnostics };
}

const messageOf = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message.value);
const brief = (d: Diagnostic) => ({ range: d.range, severity: d.severity, code: d.code, message: messageOf(d) });
const ERROR = 1;

test('a valid design has no diagnostics', async () => {
  const { diagnostics } = await openFixture('valid.merino.json', 'd1');
  assert.deepEqual(diagnostics, []);
});

test('schema problems come from the schema, on the offending values', async () => {
  const { text, diagnostics } = await openFixture('schema-errors.merino.json', 'd2');
  assert.deepEqual(diagnostics.map(brief), [
    { range: rangeOf(text, '"big"'), severity: ERROR, code: 'schema', message: 'Incorrect type. Expected "integer".' },
    { range: rangeOf(text, '"batchnorm"'), severity: ERROR, code: 'schema', message: 'Value is not accepted. Valid values: "layernorm", "rmsnorm".' },
  ]);
});

test('malformed JSON: one syntax error where the comma is missing, nothing reported twice', async () => {
  const { text, diagnostics } = await openFixture('malformed.merino.json', 'd3');
  assert.deepEqual(diagnostics.map(brief), [{ range: rangeOf(text, '"flopsSeqLen"'), severity: ERROR, code: 'json-syntax', message: 'Expected comma' }]);
});

test('a width that does not divide by its heads', async () => {
  const { text, diagnostics } = await openFixture('width-heads.merino.json', 'd4');
  // 500 / 8 = 62.5: the nearest multiples of 8 are 496 and 504 (tie, rounded up).
  assert.deepEqual(diagnostics.map(brief), [
    { range: rangeOf(text, '500'), severity: ERROR, code: 'arch-width-heads', message: 'Width 500 does not divide by 8 heads; nearest valid width: 504.' },
  ]);
});

test('a min/max pair out of order', async () => {
  const { text, diagnostics } = await openFixture('range-inverted.merino.json', 'd5');
  assert.deepEqual(brief(diagnostics[0]), {
    range: rangeOf(text, '"layersPerBlock"'),
    severity: ERROR,
    code: 'range-inverted',
    message: 'searchSpace.layersPerBlock: min 8 is greater than max 2.',
  });
});

test('an unknown device names the nearest known one', async () => {
  const { text, diagnostics } = await openFixture('unknown-device.merino.json', 'd6');
  assert.deepEqual(diagnostics.map(brief), [
    {
      range: rangeOf(text, '"raspbery-pi-4"'),
      severity: ERROR,
      code: 'unknown-device',
      message: 'Unknown device "raspbery-pi-4"; did you mean "raspberry-pi-4"? Known: raspberry-pi-3b, raspberry-pi-4, jetson-orin-nano-8gb, apple-a17-pro-ane.',
    },
  ]);
});

test('an infeasible budget names the budget and by how much', async () => {
  const { text, diagnostics } = await openFixture('infeasible.merino.json', 'd7');
  const d = diagnostics.find((x) => x.code === 'budget-infeasible')!;
  assert.deepEqual(d.range, rangeOf(text, '"2M"'));
  // Smallest architecture: 1 layer of width 256, SwiGLU ratio 2, RMSNorm, no biases, RoPE, tied V = 32000:
  // 32000·256 + (4·256² + 3·256·512 + 2·256) + 256 = 8,848,128 parameters.
  assert.equal((d.data as { fix: { smallest: number } }).fix.smallest, 8_848_128);
  assert.match(messageOf(d), /^Infeasible: the smallest architecture of the search space needs 8\.848M parameters, over the budget 2M by 6\.848M/);
});

test('an arch over budget: one error per exceeded budget, on the "arch" key', async () => {
  const { text, diagnostics } = await openFixture('over-budget.merino.json', 'd8');
  const over = diagnostics.filter((x) => x.code === 'arch-over-budget');
  assert.deepEqual(over.map((d) => d.range), [rangeOf(text, '"arch"'), rangeOf(text, '"arch"')]);
  assert.deepEqual(over.map((d) => messageOf(d).split(',')[0]), ['arch needs 172.1M parameters', 'arch needs 44.8G FLOPs']);
});

test('didChange re-validates: fixing the problem clears it; closing the file clears everything', async () => {
  const { uri, text, diagnostics } = await openFixture('unknown-device.merino.json', 'd9');
  assert.equal(diagnostics.length, 1);
  const broken = client.nextDiagnostics(uri, 2);
  const v2Text = text.replace('"raspbery-pi-4"', '"my-phone"');
  const v2 = await client.change(uri, v2Text);
  assert.equal(v2, 2);
  assert.match(messageOf((await broken).diagnostics[0]), /^Unknown device "my-phone"/);
  const fixed = client.nextDiagnostics(uri, 3);
  await client.change(uri, 'raspberry-pi-4', rangeOf(v2Text, 'my-phone')); // incremental edit
  assert.deepEqual((await fixed).diagnostics, []);
  const broken4 = client.nextDiagnostics(uri, 4);
  await client.change(uri, '{ "model": { "vocabSize": -1 } }');
  assert.ok((await broken4).diagnostics.some((d) => d.code === 'schema' && d.message === 'Value is below the minimum of 2.'));
  const closed = client.nextDiagnostics(uri, (p) => p.version === undefined);
  await client.close(uri);
  assert.deepEqual((await closed).diagnostics, []);
});

test('changes are debounced: a burst of edits is checked once, after the delay', async () => {
  const slow = await LspClient.start({ debounceMs: 200 });
  try {
    const uri = fixtureUri('valid.merino.json').replace('.merino.json', '.burst.merino.json');
    const text = fixtureText('valid.merino.json');
    const first = slow.nextDiagnostics(uri, 1);
    await slow.open(uri, text);
    await first;
    const final = slow.nextDiagnostics(uri, 6);
    let lastChange = 0;
    for (let i = 0; i < 5; i++) {
      await slow.change(uri, text.replace('"valid"', `"burst-${i}"`));
      lastChange = performance.now();
    }
    await final;
    assert.ok(performance.now() - lastChange >= 150, 'published before the debounce delay');
    assert.deepEqual(slow.published.filter((p) => p.uri === uri).map((p) => p.version), [1, 6]);
  } finally {
    assert.equal(await slow.stop(), 0);
  }
});
