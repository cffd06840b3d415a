/** Runs the built CLI (`dist/cli.js`, built first if missing) as a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');

export function merino(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  if (!existsSync(CLI)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT });
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
