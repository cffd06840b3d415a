import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import type { MasksToHost, HostToMasks } from '../../../src/protocol/mask-messages';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

type Rendered = Extract<MasksToHost, { type: 'rendered' }>;

interface PruneOutcome {
  model: vscode.Uri;
  report?: vscode.Uri;
}

/** The pruned model of `method` next to tiny-gpt.onnx (pruned now unless an earlier suite left it with its report). */
async function pruned(method: 'esparse' | 'wanda'): Promise<vscode.Uri> {
  const model = workspaceUri(`tiny-gpt.2of4.${method}.onnx`);
  if ((await exists(model)) && (await exists(workspaceUri(`tiny-gpt.2of4.${method}.report.json`)))) return model;
  const out = await vscode.commands.executeCommand<PruneOutcome | undefined>('merino.prune', workspaceUri('tiny-gpt.onnx'), { method, pattern: '2:4', calibrationFile: workspaceUri('calib.txt').fsPath });
  assert.ok(out, `pruning with ${method} returned nothing (see the MeRino log)`);
  return out.model;
}

/** A layer whose sibling group the report says was shuffled (else the first layer). */
function shuffledLayer(report: vscode.Uri): string | undefined {
  const r = JSON.parse(readFileSync(report.fsPath, 'utf8')) as { groups: { layers: string[]; permutation: unknown }[] };
  return r.groups.find((g) => g.permutation)?.layers[0];
}

suite('mask panel: channel order and overlap', () => {
  test('the mask panel switches to the original channel order and overlays a second model’s mask', async function () {
    if (!(await exists(workspaceUri('tiny-gpt.onnx')))) return this.skip();
    await activateExtension();
    const a = await pruned('esparse');
    const b = await pruned('wanda');
    const layer = shuffledLayer(workspaceUri('tiny-gpt.2of4.esparse.report.json'));
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.showMasks', a, { layer });
    assert.ok(panel, 'no panel (see the MeRino log)');
    const rendered: Rendered[] = [];
    const listener = panel.webview.onDidReceiveMessage((m: MasksToHost) => m.type === 'rendered' && rendered.push(m));
    // What the webview does when the user picks a view in its selects (the host sends the same after a file dialog).
    const setView = (view: Extract<HostToMasks, { type: 'setView' }>['view']) => panel.webview.postMessage({ type: 'setView', view } satisfies HostToMasks);
    const next = (what: string, ok: (r: Rendered) => boolean) => {
      const from = rendered.length;
      return waitFor(what, () => rendered.slice(from).find(ok), 100_000);
    };
    try {
      await waitFor('the stored-order mask to draw', () => rendered.find((r) => r.order === 'stored'), 100_000);
      let drawn = next('the original-order mask to draw', (r) => r.order === 'original');
      await setView({ order: 'original' });
      await drawn;

      drawn = next('the overlap with the wanda model to draw', (r) => r.compareWith !== undefined);
      await setView({ compareWith: b.fsPath });
      const overlap = await drawn;
      assert.equal(overlap.order, 'original', 'the order was not kept when the comparison was added');
      assert.equal(overlap.compareError, undefined);
      assert.equal(overlap.compareWith, b.fsPath);
      assert.ok(overlap.overlap !== undefined && overlap.overlap > 0.3 && overlap.overlap < 1, `overlap ${overlap.overlap}`);

      drawn = next('the stored-order overlap to draw', (r) => r.order === 'stored' && r.compareWith !== undefined);
      await setView({ order: 'stored' });
      const stored = await drawn;
      assert.equal(stored.overlap, overlap.overlap, 'the overlap fraction must not depend on the display order');

      drawn = next('the failed comparison to be shown', (r) => r.compareError !== undefined);
      await setView({ compareWith: workspaceUri('no-such-model.onnx').fsPath });
      assert.match((await drawn).compareError!, /no-such-model\.onnx/);
    } finally {
      listener.dispose();
      panel.dispose();
    }
  });
});
