// End-to-end tests of the extension in a real VS Code: code-server 4.100.3 (its Node extension host runs
// the extension as VS Code Remote does) driven by Debian chromium through playwright-core.
//   1. the mocha suite (test/extension/suite, bundled to out/test/suite/index.js) runs inside the extension
//      host through the workbench's `payload` query (extensionDevelopmentPath + extensionTestsPath);
//   2. Playwright UI checks on a fresh workbench (test/e2e/ui-checks.mjs), with screenshots in test-artifacts/.
// Installs nothing: test/e2e/install.sh does (called by .ci/run). Prints node:test-style lines and a summary.
// Usage: node test/e2e/run-e2e.mjs [--suite-only | --ui-only | --activation-only] [--vsix FILE]
//   --activation-only: open a workbench without tests and print `# activation: N ms` from page.goto to the
//   extension's "activated at" log line (bench/extension.bench.ts runs this).
//   --vsix FILE: install the packaged extension into code-server and run the suite against the installed
//   copy (what users get) instead of the repository.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const entry = join(here, 'node_modules/code-server/out/node/entry.js');
const artifacts = join(root, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const START_TIMEOUT_MS = 90_000;
const SUITE_TIMEOUT_MS = 8 * 60_000;
const argv = process.argv.slice(2);
const mode = argv.find((a) => a === '--suite-only' || a === '--ui-only' || a === '--activation-only') ?? '';
const vsix = argv.includes('--vsix') ? resolve(argv[argv.indexOf('--vsix') + 1] ?? '') : undefined;

if (!existsSync(entry) || !existsSync(CHROMIUM)) {
  console.log(`# skipped: code-server or chromium not installed (run test/e2e/install.sh; see docs/extension.md)`);
  process.exit(0);
}
for (const built of ['dist/extension.js', 'dist/worker.js', 'out/test/suite/index.js']) {
  if (!existsSync(join(root, built))) {
    console.error(`e2e: ${built} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

const { chromium } = await import(join(here, 'node_modules/playwright-core/index.mjs'));
const { uiChecks } = await import('./ui-checks.mjs');

const started = Date.now();
const results = [];
function report(name, ok, ms, error) {
  results.push({ name, ok });
  console.log(`${ok ? 'ok' : 'not ok'} ${results.length} - ${name} # ${Math.round(ms)} ms`);
  if (!ok && error) console.log(String(error).split('\n').map((l) => `  # ${l}`).join('\n'));
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** A fresh copy of the test workspace, with the demo model and texts when the repo has them. */
function makeWorkspace(tmp) {
  const ws = join(tmp, 'workspace');
  cpSync(join(root, 'test/extension/workspace'), ws, { recursive: true });
  const demo = join(root, 'demo');
  if (existsSync(demo)) {
    for (const f of readdirSync(demo)) if (/\.(onnx|onnx\.data|txt|json)$/.test(f) && !f.includes('.report.')) cpSync(join(demo, f), join(ws, f));
  }
  return ws;
}

async function startCodeServer(tmp, ws) {
  const port = await freePort();
  const logPath = join(tmp, 'code-server.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn(
    process.execPath,
    [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--user-data-dir', join(tmp, 'user'), '--extensions-dir', join(tmp, 'extensions'), '--config', '/dev/null', ws],
    { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, MERINO_TEST_RESULTS: join(tmp, 'suite-results.json') } },
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}); log:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${START_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, child, logPath };
}

/** Keeps the extension host's MeRino logs (output channel, language client) of a phase as artefacts. */
function copyExtensionLogs(logsDir, dest) {
  if (!existsSync(logsDir)) return;
  for (const entry of readdirSync(logsDir, { recursive: true })) {
    const file = String(entry);
    if (/merino\.merino[\\/].+\.log$/.test(file) || /exthost\d*[\\/]remoteexthost\.log$/.test(file)) {
      cpSync(join(logsDir, file), join(dest, file.replace(/[\\/]/g, '__')));
    }
  }
}

function stopCodeServer(child) {
  try {
    process.kill(-child.pid, 'SIGKILL'); // the whole process group: code-server leaves children behind
  } catch {}
}

/** Installs the VSIX into this code-server's extensions folder; returns the folder it was unpacked to. */
function installVsix(tmp) {
  const r = spawnSync(process.execPath, [entry, '--extensions-dir', join(tmp, 'extensions'), '--user-data-dir', join(tmp, 'user'), '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stderr || r.stdout}`);
  const dir = readdirSync(join(tmp, 'extensions')).find((d) => d.startsWith('merino.merino-'));
  if (!dir) throw new Error(`${vsix} installed but no merino.merino-* folder in the extensions folder`);
  return join(tmp, 'extensions', dir);
}

export function workbenchUrl(port, ws, withTests, extensionPath = root) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)]];
  if (withTests) payload.push(['extensionTestsPath', remote(join(root, 'out/test/suite/index.js'))]);
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Phase 1: the mocha suite in the extension host; one reported line per mocha test. */
async function runSuite(browser, server, tmp, ws) {
  const t0 = Date.now();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const exit = new Promise((res) => page.exposeFunction('codeAutomationExit', (code) => res(code)));
  const timeout = new Promise((res) => setTimeout(() => res('timeout'), SUITE_TIMEOUT_MS).unref());
  const extensionPath = vsix ? installVsix(tmp) : root;
  if (vsix) console.log(`# suite: running against the installed VSIX in ${extensionPath}`);
  await page.goto(workbenchUrl(server.port, ws, true, extensionPath));
  const code = await Promise.race([exit, timeout]);
  const resultsPath = join(tmp, 'suite-results.json');
  const outcomes = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : [];
  for (const o of outcomes) report(`extension host${vsix ? ' (VSIX)' : ''}: ${o.title}`, o.state === 'passed', o.durationMs, o.error);
  if (code === 'timeout') {
    await page.screenshot({ path: join(artifacts, 'suite-timeout.png') }).catch(() => {});
    report('extension host suite finished', false, Date.now() - t0, `no codeAutomationExit within ${SUITE_TIMEOUT_MS / 1000} s`);
  } else if (outcomes.length === 0) {
    report('extension host suite ran', false, Date.now() - t0, `exit code ${code} and no results (see ${server.logPath})`);
  } else if (code !== 0 && !outcomes.some((o) => o.state === 'failed')) {
    report('extension host suite exit code', false, Date.now() - t0, `codeAutomationExit(${code})`);
  }
  await page.close();
}

/** Opens a workbench (the workspace has .onnx files, so the extension activates) and times activation. */
async function measureActivation(browser, server, tmp, ws) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const logsDir = join(tmp, 'user', 'logs');
  const t0 = Date.now();
  await page.goto(workbenchUrl(server.port, ws, false));
  const deadline = t0 + 60_000;
  for (; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const logs = existsSync(logsDir) ? readdirSync(logsDir, { recursive: true }).map(String).filter((f) => /merino\.merino[\\/].+\.log$/.test(f)) : [];
    for (const f of logs) {
      const m = /activated at (\d+) \(epoch ms; bundle load → activate returned ([\d.]+) ms\)/.exec(readFileSync(join(logsDir, f), 'utf8'));
      if (!m) continue;
      console.log(`# activation: ${Number(m[1]) - t0} ms from opening the workbench to activate() returning (activate itself ${m[2]} ms)`);
      report('activation: the extension activates when the workbench opens a folder with .onnx files', true, Date.now() - t0);
      await page.close();
      return;
    }
  }
  report('activation: the extension activates when the workbench opens a folder with .onnx files', false, Date.now() - t0, 'no "activated at" line in the MeRino log within 60 s');
  await page.close();
}

let liveServer;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (liveServer) stopCodeServer(liveServer.child);
    process.exit(130);
  });
}

async function main() {
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const browser = await launchBrowser();
  const phases = [];
  if (mode === '--activation-only') phases.push(['activation', measureActivation]);
  else if (mode !== '--ui-only') phases.push(['suite', runSuite]);
  if (mode === '' || mode === '--ui-only') phases.push(['ui', (b, s, t, w) => uiChecks({ browser: b, url: workbenchUrl(s.port, w, false), workspace: w, artifacts, report })]);
  try {
    // Each phase gets its own code-server and workspace copy, so that the suite's files never leak into the UI checks.
    for (const [name, phase] of phases) {
      const tmp = mkdtempSync(join(tmpdir(), `merino-e2e-${name}-`));
      const ws = makeWorkspace(tmp);
      let server;
      const t0 = Date.now();
      try {
        server = liveServer = await startCodeServer(tmp, ws);
        console.log(`# ${name}: code-server up on port ${server.port} in ${Date.now() - t0} ms`);
        await phase(browser, server, tmp, ws);
      } catch (e) {
        report(`${name} phase`, false, Date.now() - t0, e?.stack ?? e);
      } finally {
        if (server) {
          stopCodeServer(server.child);
          liveServer = undefined;
          cpSync(server.logPath, join(artifacts, `code-server-${name}.log`));
          copyExtensionLogs(join(tmp, 'user', 'logs'), join(artifacts, `logs-${name}`));
        }
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close().catch(() => {});
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`1..${results.length}`);
  console.log(`# pass ${results.length - failed}`);
  console.log(`# fail ${failed}`);
  console.log(`# e2e: ${results.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s (artifacts: test-artifacts/)`);
  process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
}

await main();
