// Bundles each entry point separately (see docs/architecture.md).
// onnxruntime-node stays external: it loads its native binding from its own folder.
import * as esbuild from 'esbuild';

const nodeBundles = [
  { entry: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['onnxruntime-node', 'vscode', '*.node'],
  logLevel: 'warning',
};

await Promise.all(
  nodeBundles.map(({ entry, out, banner }) =>
    esbuild.build({ ...common, entryPoints: [entry], outfile: out, banner: banner ? { js: banner } : undefined }),
  ),
);
