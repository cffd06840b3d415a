// Playwright UI checks on a code-server workbench with the extension loaded (called by run-e2e.mjs).
// Each check takes a screenshot while the workbench is still alive (webviews go blank when it stops);
// failures keep theirs in test-artifacts/ as <check>-failed.png.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const UI_TIMEOUT_MS = 60_000;
/** Jobs on the demo model (calibration + pruning) take seconds; this bounds a hang. */
const JOB_TIMEOUT_MS = 3 * 60_000;

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Runs a command through the command palette (F1), by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await row.click();
}

/** Opens a workspace file through Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await input.fill(name);
  const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
  await page.keyboard.press('Enter');
  await page.locator('.tab').filter({ hasText: name }).first().waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Waits for `done`, failing early with its text when a MeRino error notification appears instead. */
async function untilOrError(page, done) {
  const toast = page.locator('.notification-toast').filter({ hasText: 'MeRino:' }).filter({ has: page.locator('.codicon-error') }).first();
  const error = toast.waitFor({ timeout: JOB_TIMEOUT_MS + 5_000 }).then(async () => {
    throw new Error(`error notification: ${await toast.innerText()}`);
  });
  done.catch(() => {});
  error.catch(() => {});
  await Promise.race([done, error]);
}

/** Accepts the first item of `count` successive quick picks. */
async function acceptQuickPicks(page, count) {
  const input = page.locator('.quick-input-widget input');
  for (let step = 0; step < count; step++) {
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
    await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT_MS }).catch(() => {});
  }
}

function explorerRow(page, name) {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name }).first();
}

/**
 * Right-clicks an Explorer item and clicks a context-menu entry. The first right-click sometimes shows the
 * menu before the extension's contributions are in it, so close and retry a few times.
 */
export async function explorerContextAction(page, fileName, itemText, attempts = 4) {
  for (let i = 1; ; i++) {
    await explorerRow(page, fileName).click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item').filter({ hasText: itemText }).first();
    try {
      await item.waitFor({ state: 'visible', timeout: 5_000 });
      await item.click();
      // A click while the workbench re-lays out (e.g. a view appearing) can leave the menu open with the item
      // highlighted: then Enter runs it.
      const menu = page.locator('.monaco-menu').first();
      if (!(await menu.waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false))) {
        await page.keyboard.press('Enter');
        await menu.waitFor({ state: 'hidden', timeout: 3_000 });
      }
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (i >= attempts) throw new Error(`"${itemText}" never appeared in the context menu of ${fileName}: ${e.message}`);
      await page.waitForTimeout(1_000);
    }
  }
}

/** Counts canvas pixels that differ from the top-left (background) pixel, inside the webview. */
async function canvasForegroundPixels(frame, selector) {
  return frame.locator(selector).first().evaluate((canvas) => {
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 4; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) n++;
    return n;
  });
}

export async function uiChecks({ browser, url, workspace, artifacts, report }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const check = async (name, body) => {
    const t0 = Date.now();
    try {
      await body();
      await page.screenshot({ path: join(artifacts, `${slug(name)}.png`) }).catch(() => {});
      report(`ui: ${name}`, true, Date.now() - t0);
    } catch (e) {
      await page.screenshot({ path: join(artifacts, `${slug(name)}-failed.png`) }).catch(() => {});
      report(`ui: ${name}`, false, Date.now() - t0, e?.stack ?? e);
    }
  };
  const models = readdirSync(workspace).filter((f) => f.endsWith('.onnx'));

  await check('the workbench opens the workspace with the extension', async () => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
    await explorerRow(page, 'tiny.merino.json').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  await check('the Problems panel lists the .merino.json error', async () => {
    await openFile(page, 'broken.merino.json');
    await runCommand(page, 'View: Focus Problems');
    await page
      .locator('.markers-panel .monaco-list-row')
      .filter({ hasText: 'is greater than max' })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
  });

  await check('Run Architecture Search → Open results shows the plot and the top-k table', async () => {
    await openFile(page, 'tiny.merino.json');
    await runCommand(page, 'MeRino: Run Architecture Search');
    const done = page.locator('.notification-toast').filter({ hasText: 'search done' }).first();
    await untilOrError(page, done.waitFor({ timeout: JOB_TIMEOUT_MS }));
    await done.getByRole('button', { name: 'Open results' }).click();
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('#root[data-state="ready"]').waitFor({ timeout: UI_TIMEOUT_MS });
    const n = await canvasForegroundPixels(frame, 'canvas#plot');
    if (n < 50) throw new Error(`only ${n} drawn pixels on the results plot`);
    const rows = await frame.locator('table tr').count();
    if (rows < 2) throw new Error('the top-k table is empty');
  });

  if (models.length === 0) {
    console.log('# ui: no .onnx model in the test workspace (demo/ has none yet): model checks skipped');
  } else {
    const model = models.find((m) => m === 'model.onnx') ?? models[0];
    await check(`right-click ${model} → MeRino prune → defaults → the pruned file appears`, async () => {
      await explorerRow(page, model).waitFor({ timeout: UI_TIMEOUT_MS });
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await explorerContextAction(page, model, 'Prune to N:M Sparsity');
      // Quick picks: method, pattern (defaults first; the calibration file is a workspace setting) → Enter each.
      await acceptQuickPicks(page, 2);
      const stem = model.replace(/\.onnx$/, '');
      const pruned = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`${stem}\\.2of4\\.esparse\\.onnx`) }).first();
      await untilOrError(page, pruned.waitFor({ timeout: JOB_TIMEOUT_MS }));
    });

    await check('the ONNX inspector shows the pruned model as 2:4-ready', async () => {
      const pruned = `${model.replace(/\.onnx$/, '')}.2of4.esparse.onnx`;
      await runCommand(page, 'Notifications: Clear All Notifications');
      await explorerContextAction(page, pruned, 'Inspect Model');
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await untilOrError(page, frame.locator('#root[data-state="ready"]').waitFor({ timeout: JOB_TIMEOUT_MS }));
      const text = await frame.locator('#root').innerText();
      if (!/2:4-ready/.test(text) || !/merino/i.test(text)) throw new Error(`inspector text lacks 2:4-ready or MeRino metadata: ${text.slice(0, 400)}`);
      if (!text.includes('✓')) throw new Error('no layer is marked 2:4-ready');
    });

    await check('the heatmap canvas has non-background pixels', async () => {
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await explorerContextAction(page, model, 'Show Entropy Heatmap');
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await untilOrError(page, frame.locator('canvas#heatmap').waitFor({ timeout: JOB_TIMEOUT_MS }));
      await frame.locator('[data-state="ready"]').first().waitFor({ timeout: JOB_TIMEOUT_MS });
      const n = await canvasForegroundPixels(frame, 'canvas#heatmap');
      if (n < 100) throw new Error(`only ${n} non-background pixels on the heatmap canvas`);
    });

    await check('the mask panel overlays the wanda mask on the esparse one in the original channel order', async () => {
      const stem = model.replace(/\.onnx$/, '');
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'Notifications: Clear All Notifications');
      await explorerContextAction(page, model, 'Prune to N:M Sparsity');
      // Method pick: type wanda, Enter; the pattern pick follows in the same widget (2:4 first), Enter.
      await page.locator('.quick-input-widget input').fill('wanda');
      await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'Wanda' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: '2:4' }).first().waitFor({ timeout: UI_TIMEOUT_MS });
      await page.keyboard.press('Enter');
      await untilOrError(page, explorerRow(page, `${stem}.2of4.wanda.onnx`).waitFor({ timeout: JOB_TIMEOUT_MS }));
      await runCommand(page, 'Notifications: Clear All Notifications');
      await explorerContextAction(page, `${stem}.2of4.esparse.onnx`, 'Show N:M Masks');
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      const choose = async (select, option) => {
        await frame.locator('#root[data-state="ready"]').waitFor({ timeout: JOB_TIMEOUT_MS });
        await frame.locator(select).click();
        // The open list is drawn in the select's shadow DOM; its light-DOM vscode-option children stay hidden.
        await frame.locator(select).getByText(option).locator('visible=true').first().click();
      };
      await choose('.toolbar vscode-single-select:nth-child(2)', 'Original channel order');
      await frame.locator('#root[data-order="original"][data-state="ready"]').waitFor({ timeout: JOB_TIMEOUT_MS });
      await choose('.compare-select', `${stem}.2of4.wanda.onnx`);
      await untilOrError(page, frame.locator('.legend').waitFor({ timeout: JOB_TIMEOUT_MS }));
      await frame.locator('#root[data-state="ready"]').waitFor({ timeout: JOB_TIMEOUT_MS });
      const text = await frame.locator('#root').innerText();
      if (!/Overlap \|A∧B\| \/ \|A\| = 0\.\d{4}/.test(text)) throw new Error(`no overlap fraction: ${text.slice(0, 400)}`);
      const n = await canvasForegroundPixels(frame, 'canvas#masks');
      if (n < 100) throw new Error(`only ${n} non-background pixels on the mask canvas`);
      // Zoomed in, hovering a weight names the channels of its N:M group (spread out in the original order).
      for (let i = 0; i < 3; i++) await frame.locator('vscode-button').filter({ hasText: 'Zoom in' }).click();
      await frame.locator('canvas#masks').hover({ position: { x: 200, y: 120 } });
      const hover = await frame.locator('.hover').innerText();
      if (!/its N:M group = channels \d+, \d+, \d+, \d+ keeps \d of 4 in A/.test(hover)) throw new Error(`hover readout: ${hover}`);
    });

    await check('after a window reload the mask panel comes back with the same order and comparison', async () => {
      await runCommand(page, 'Developer: Reload Window');
      await page.locator('.monaco-workbench').waitFor({ timeout: UI_TIMEOUT_MS });
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await untilOrError(page, frame.locator('#root[data-order="original"][data-state="ready"] .legend').waitFor({ timeout: JOB_TIMEOUT_MS }));
      const text = await frame.locator('#root').innerText();
      if (!/Overlap \|A∧B\| \/ \|A\| = 0\.\d{4}/.test(text)) throw new Error(`no overlap fraction after the reload: ${text.slice(0, 400)}`);
    });
  }
  await page.close();
}

