import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL, DEFAULT_SEARCH, DEFAULT_SEARCH_SPACE, DEFAULT_ENTROPY } from '../../../src/core/config/defaults';
import type { MerinoDiagnostic } from '../../../src/core/config/diagnostic';
import { MERINO_SCHEMA, locateAt, parseMerinoText, validateMerinoText } from '../../../src/core/config/merino-document';
import { countParams } from '../../../src/core/merino/cost-model';

const examplesDir = join(__dirname, '../../../examples');
const iotText = readFileSync(join(examplesDir, 'iot-raspberry-pi-4.merino.json'), 'utf8');
const gpt2Text = readFileSync(join(examplesDir, 'gpt2-small.merino.json'), 'utf8');

/** The design as an object, edited by `edit`, back to text. */
function edited(text: string, edit: (o: any) => void): string {
  const o = JSON.parse(text);
  edit(o);
  return JSON.stringify(o, null, 2);
}

const codes = (ds: MerinoDiagnostic[]) => ds.map((d) => d.code);
const find = (ds: MerinoDiagnostic[], code: string) => {
  const d = ds.find((x) => x.code === code);
  assert.ok(d, `expected a ${code} diagnostic, got ${JSON.stringify(ds)}`);
  return d;
};
const textAt = (text: string, d: MerinoDiagnostic) => text.slice(d.range!.start, d.range!.end);

test('every shipped example validates without errors or warnings', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.merino.json'));
  assert.ok(files.length >= 4);
  for (const f of files) assert.deepEqual(validateMerinoText(readFileSync(join(examplesDir, f), 'utf8')), [], f);
});

test('the schema states the same defaults as the code', () => {
  const defs = MERINO_SCHEMA.definitions!;
  for (const [k, v] of Object.entries(DEFAULT_MODEL)) assert.deepEqual(defs.model.properties![k].default, v, `model.${k}`);
  for (const [k, v] of Object.entries(DEFAULT_SEARCH)) assert.deepEqual(defs.search.properties![k].default, v, `search.${k}`);
  for (const [k, v] of Object.entries(DEFAULT_ENTROPY)) assert.deepEqual(defs.entropy.properties![k].default, v, `entropy.${k}`);
  for (const [k, v] of Object.entries(DEFAULT_SEARCH_SPACE)) assert.deepEqual(defs.searchSpace.properties![k].default, v, `searchSpace.${k}`);
});

test('invalid JSON gives a json-syntax diagnostic at the error', () => {
  const text = '{ "model": { "vocabSize": 50257,, } }';
  const d = find(validateMerinoText(text), 'json-syntax');
  assert.equal(d.severity, 'error');
  assert.equal(text[d.range!.start], ',');
});

test('a wrong type is a schema error whose range is the value', () => {
  const text = edited(iotText, (o) => (o.model.vocabSize = 'many'));
  const d = find(validateMerinoText(text), 'schema');
  assert.deepEqual(d.path, ['model', 'vocabSize']);
  assert.equal(textAt(text, d), '"many"');
  assert.match(d.message, /Incorrect type\. Expected "integer"/);
});

test('absurd numbers and negative budgets are errors, not crashes', () => {
  for (const [edit, path] of [
    [(o: any) => (o.budget.params = 1e308), ['budget', 'params']],
    [(o: any) => (o.budget.flops = -5), ['budget', 'flops']],
    [(o: any) => (o.budget.params = '1e30G'), ['budget', 'params']],
    [(o: any) => (o.model.context = 0), ['model', 'context']],
    [(o: any) => (o.searchSpace.width.max = 1e308), ['searchSpace', 'width', 'max']],
  ] as const) {
    const ds = validateMerinoText(edited(iotText, edit));
    assert.ok(ds.some((d) => d.severity === 'error' && JSON.stringify(d.path) === JSON.stringify(path)), JSON.stringify(ds));
  }
  const overflow = iotText.replace('"64M"', '1e999');
  assert.match(find(validateMerinoText(overflow), 'schema').message, /too large/);
});

test('huge arrays give a bounded number of diagnostics, quickly', () => {
  const text = edited(iotText, (o) => (o.searchSpace.heads = Array.from({ length: 200000 }, (_, i) => -i)));
  const t0 = performance.now();
  const ds = validateMerinoText(text);
  const ms = performance.now() - t0;
  assert.ok(ds.some((d) => /too many items/.test(d.message)));
  assert.ok(ds.length <= 200);
  assert.ok(ms < 5000, `${ms} ms`);
});

test('min > max is a range-inverted error whose fix is the ordered pair', () => {
  const text = edited(iotText, (o) => (o.searchSpace.layersPerBlock = { min: 8, max: 2 }));
  const d = find(validateMerinoText(text), 'range-inverted');
  assert.deepEqual(d.path, ['searchSpace', 'layersPerBlock']);
  assert.deepEqual(d.data, { min: 2, max: 8 });
  assert.equal(textAt(text, d), '"layersPerBlock"');
});

test('an arch width that does not divide by its heads suggests the nearest valid width', () => {
  const text = edited(gpt2Text, (o) => (o.arch.blocks[0].width = 770));
  const d = find(validateMerinoText(text), 'arch-width-heads');
  assert.deepEqual(d.path, ['arch', 'blocks', 0, 'width']);
  assert.deepEqual(d.data, { replace: 768 });
  assert.equal(textAt(text, d), '770');
});

test('an unknown device suggests the nearest known name', () => {
  const text = edited(iotText, (o) => (o.budget.latency.device = 'raspbery-pi4'));
  const d = find(validateMerinoText(text), 'unknown-device');
  assert.equal((d.data as { suggestion: string }).suggestion, 'raspberry-pi-4');
  assert.equal(textAt(text, d), '"raspbery-pi4"');
});

test('a user device profile is accepted and overrides nothing else', () => {
  const text = edited(iotText, (o) => {
    o.devices = { 'my-board': { peakFlops: '10G', memBandwidth: '4G', bytesPerElement: 1 } };
    o.budget.latency.device = 'my-board';
  });
  assert.deepEqual(validateMerinoText(text).filter((d) => d.severity === 'error'), []);
});

test('a budget the smallest architecture exceeds is infeasible, with the amount', () => {
  const text = edited(iotText, (o) => (o.budget.params = '10M'));
  const d = find(validateMerinoText(text), 'budget-infeasible');
  assert.deepEqual(d.path, ['budget', 'params']);
  const { smallest, limit } = d.data as { smallest: number; limit: number };
  // Smallest of the space: 1 block, 1 layer, width 256, ffn ratio 2, tied GPT-2 vocabulary.
  const expected = countParams({ blocks: [{ layers: 1, width: 256, heads: 4, ffnDim: 512, shared: false }] }, parseMerinoText(text).config.model);
  assert.equal(smallest, expected);
  assert.equal(limit, 10e6);
  assert.match(d.message, /needs 13.52M parameters, over the budget 10M by 3.524M/);
});

test('a budget the largest architecture fits far inside is not binding (warning)', () => {
  const text = edited(iotText, (o) => (o.budget.params = '10G'));
  const d = find(validateMerinoText(text), 'budget-not-binding');
  assert.equal(d.severity, 'warning');
  assert.deepEqual(d.path, ['budget', 'params']);
});

test('a β no depth satisfies is an error', () => {
  const text = edited(iotText, (o) => {
    o.entropy.beta = 0.0005; // even 1 layer at the widest width 1024 gives ρ = 1/1024
  });
  assert.equal(find(validateMerinoText(text), 'beta-infeasible').severity, 'error');
});

test('an arch over budget is an error with the computed figure', () => {
  const text = edited(gpt2Text, (o) => (o.budget.params = '100M'));
  const d = find(validateMerinoText(text), 'arch-over-budget');
  assert.deepEqual(d.data, { budget: 'params', value: 124439808, limit: 100e6 });
  assert.match(d.message, /124\.4M/);
});

test('schema: false leaves only semantic diagnostics', () => {
  const text = edited(iotText, (o) => {
    o.model.vocabSize = 'many';
    o.searchSpace.blocks = { min: 3, max: 1 };
  });
  assert.ok(codes(validateMerinoText(text)).includes('schema'));
  assert.deepEqual(codes(validateMerinoText(text, { schema: false })), ['range-inverted']);
});

test('random corruptions of a file never throw and stay fast', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['{', '}', '[', ']', ',', ':', '"', '-1', '1e308', 'null', 'true', '"x"', '0', '3.5', '""'];
  for (let i = 0; i < 300; i++) {
    let t = gpt2Text;
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
      const at = Math.floor(rand() * t.length);
      t = rand() < 0.5 ? t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 10)) : t.slice(0, at) + pieces[Math.floor(rand() * pieces.length)] + t.slice(at);
    }
    const ds = validateMerinoText(t);
    for (const d of ds) assert.ok(d.range && d.range.start >= 0 && d.range.end <= t.length + 1);
  }
});

test('locateAt finds the arch block and the budget under an offset', () => {
  const doc = parseMerinoText(gpt2Text);
  const inBlock = gpt2Text.indexOf('"heads": 12');
  assert.deepEqual({ ...locateAt(doc, inBlock + 3), path: undefined }, { path: undefined, section: 'arch', archBlock: 0 });
  const inLatency = gpt2Text.indexOf('"mode": "decode"');
  const loc = locateAt(doc, inLatency + 2);
  assert.equal(loc.budgetKey, 'latency');
  assert.equal(loc.device, 'jetson-orin-nano-8gb');
});

test('every field of the schema has a title and a description (they feed hover and completion)', () => {
  type S = import('../../../src/core/config/schema-validator').Schema;
  const defs = MERINO_SCHEMA.definitions!;
  const resolve = (s: S): S => (s.$ref ? defs[s.$ref.replace('#/definitions/', '')] : s);
  const missing: string[] = [];
  const seen = new Set<string>();
  const walk = (node: S, path: string): void => {
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      const r = resolve(v);
      if (!v.title && !r.title) missing.push(`${path}${k}: title`);
      if (!v.description && !r.description) missing.push(`${path}${k}: description`);
      for (const child of [r, r.items && resolve(r.items), typeof r.additionalProperties === 'object' ? resolve(r.additionalProperties) : undefined]) {
        if (!child || seen.has(JSON.stringify(child).slice(0, 200) + path + k)) continue;
        seen.add(JSON.stringify(child).slice(0, 200) + path + k);
        walk(child, `${path}${k}.`);
      }
    }
  };
  walk(MERINO_SCHEMA, '');
  assert.deepEqual(missing, []);
});

test('a device name far from every known one gets no suggestion', () => {
  const text = edited(iotText, (o) => (o.budget.latency.device = 'nope'));
  const d = find(validateMerinoText(text), 'unknown-device');
  assert.equal((d.data as { suggestion?: string }).suggestion, undefined);
  assert.deepEqual(codes(validateMerinoText(text)).filter((c) => c === 'no-budget'), []);
});

test('deep nesting is refused before parsing instead of overflowing the stack', () => {
  for (const text of ['['.repeat(200000), `{"model": ${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}}`]) {
    const ds = validateMerinoText(text);
    assert.deepEqual(codes(ds), ['too-deep']);
  }
  // Nesting a little deeper than a design file needs is still parsed (and gets schema errors).
  assert.ok(codes(validateMerinoText(`{"arch": ${'['.repeat(20)}${']'.repeat(20)}}`)).includes('schema'));
});
