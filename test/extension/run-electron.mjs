// Runs the extension-host suite (out/test/suite/index.js) in a downloaded VS Code through @vscode/test-electron
// (for machines that can download VS Code; in CI here the same suite runs inside code-server: test/e2e/run-e2e.mjs).
// Usage: npm run test:electron
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'merino-electron-'));
const ws = join(tmp, 'workspace');
cpSync(join(root, 'test/extension/workspace'), ws, { recursive: true });
const demo = join(root, 'demo');
if (existsSync(demo)) for (const f of readdirSync(demo)) if (/\.(onnx|onnx\.data|txt)$/.test(f)) cpSync(join(demo, f), join(ws, f));

try {
  await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/suite/index.js'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(tmp, 'user')],
  });
} catch (e) {
  console.error(`extension tests failed: ${e.message ?? e}`);
  process.exit(1);
}
