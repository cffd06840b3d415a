// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) in turn.
// Each bench module exports `run(): Promise<object>` that prints its figures and returns them;
// the collected figures are also written to .bench/results.json for docs/benchmarks.md.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
    .sort();
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const mod = (await import(pathToFileURL(join(__dirname, file)).href)) as { run(): Promise<unknown> };
    results[file] = await mod.run();
  }
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/results.json', JSON.stringify(results, null, 2));
  console.log('\nfigures written to .bench/results.json');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
