// Bundles each entry point separately (see docs/architecture.md).
// onnxruntime-node stays external: it loads its native binding from its own folder.
import * as esbuild from 'esbuild';

const nodeBundles = [
  { entry: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
  { entry: 'src/extension/extension.ts', out: 'dist/extension.js' },
  { entry: 'src/server/main.ts', out: 'dist/server.js', banner: '#!/usr/bin/env node' },
  // Worker threads of the pruner and of the histogram pass (src/core/worker-thread.ts finds them next to the bundle that starts them).
  { entry: 'src/core/pipeline/group-worker.ts', out: 'dist/group-worker.js' },
  { entry: 'src/core/stats/histogram-worker.ts', out: 'dist/histogram-worker.js' },
  // The worker runs CLI commands in-process: keep src/cli/main.ts's `require.main === module` block from firing.
  { entry: 'src/worker/main.ts', out: 'dist/worker.js', define: { 'require.main': 'undefined' } },
  // The extension-host test suite (mocha stays external: it loads its reporters by name).
  { entry: 'test/extension/suite/index.ts', out: 'out/test/suite/index.js', external: ['mocha'] },
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['onnxruntime-node', 'vscode', '*.node'],
  // Prefer ESM builds: the UMD builds of jsonc-parser / vscode-json-languageservice use dynamic requires esbuild cannot follow.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

// Webviews: browser bundles loaded by the panels through asWebviewUri (see docs/extension.md).
const webviewBundles = ['heatmap', 'masks', 'inspector', 'report', 'results', 'compare'];

await Promise.all([
  ...nodeBundles.map(({ entry, out, banner, define, external }) =>
    esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile: out,
      banner: banner ? { js: banner } : undefined,
      define,
      external: [...common.external, ...(external ?? [])],
    }),
  ),
  ...webviewBundles.map((name) =>
    esbuild.build({
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      sourcemap: true,
      minify: true,
      logLevel: 'warning',
      entryPoints: [`webview/${name}/main.ts`],
      outfile: `dist/webview/${name}.js`,
    }),
  ),
]);
