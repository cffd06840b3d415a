// The extension-host test suite: the standard mocha runner (as in VS Code's lsp-sample), loaded by
// code-server through the `extensionTestsPath` payload (test/e2e/run-e2e.mjs) or by @vscode/test-electron
// (test/extension/run-electron.mjs). When MERINO_TEST_RESULTS names a file, each test's outcome is also
// written there as JSON so that the runner outside VS Code can print and count them.
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

function loadTests(): void {
  // Bundled by esbuild: each require runs that file's suite() calls now, after mocha's pre-require.
  require('./commands.itest');
  require('./language-client.itest');
  require('./search.itest');
  require('./jobs.itest');
  require('./heatmap.itest');
  require('./prune.itest');
  require('./compare.itest');
  require('./tasks.itest');
  require('./masks.itest');
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000 });
  mocha.suite.emit('pre-require', globalThis, 'merino-suite', mocha);
  loadTests();
  const outcomes: TestOutcome[] = [];
  const resultsFile = process.env.MERINO_TEST_RESULTS;
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultsFile) writeFileSync(resultsFile, JSON.stringify(outcomes, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) => outcomes.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: err.stack ?? err.message }));
  });
}
