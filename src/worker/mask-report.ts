import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { PruneReport } from '../core/pipeline/prune-model';
import { reportPath } from '../core/pipeline/output-paths';

/** The prune report next to a pruned model (`X.onnx` → `X.report.json`), or why there is none to use. */
export type ReportLookup = { file: string; report: PruneReport } | { file: string; report?: undefined; problem: string };

/** Reads and checks the report of `modelPath`; a missing or malformed report is a `problem`, never a throw. */
export async function readPruneReport(modelPath: string): Promise<ReportLookup> {
  const file = reportPath(modelPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { file, problem: `no prune report (${basename(file)}) next to the model` };
  }
  try {
    const report = JSON.parse(text) as PruneReport;
    if (report?.format !== 'merino-prune-report') return { file, problem: `${basename(file)} is not a MeRino prune report` };
    if (!Array.isArray(report.groups) || !Array.isArray(report.layers)) return { file, problem: `${basename(file)} has no layers/groups` };
    return { file, report };
  } catch (e) {
    return { file, problem: `${basename(file)} is not valid JSON (${(e as Error).message})` };
  }
}
