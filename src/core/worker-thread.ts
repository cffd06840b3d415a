import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker-thread script `name` found in `dir` (the caller's __dirname): the bundle's
 * `dist/<name>.js`, or under tsx (tests, benchmarks) the TypeScript source `<name>.ts`, loaded through
 * tsx's require hook (a thread does not inherit the `--import tsx` loader). Undefined when neither
 * exists, so that the caller can do the work on its own thread. `workerData` reaches the thread as
 * node:worker_threads' `workerData`.
 */
export function startWorkerThread(dir: string, name: string, workerData?: unknown): Worker | undefined {
  const bundled = join(dir, `${name}.js`);
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  const source = join(dir, `${name}.ts`);
  if (!existsSync(source)) return undefined;
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { eval: true, workerData });
}
