/** Reading a design file from disk, for the CLI: diagnostics, or a config ready to search. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors';
import { type MerinoDiagnostic, formatDiagnostic, hasErrors } from './diagnostic';
import type { MerinoConfig } from './merino-config';
import { type MerinoDocument, parseMerinoText, validateMerinoDocument } from './merino-document';

export interface DesignFile {
  path: string;
  doc: MerinoDocument;
  diagnostics: MerinoDiagnostic[];
}

/** The name a design file gives its results: "iot.merino.json" → "iot". */
export const designStem = (path: string): string => basename(path).replace(/\.merino\.json$/i, '').replace(/\.json$/i, '');

export async function readDesignFile(path: string): Promise<DesignFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}`, 'give a *.merino.json design file');
  }
  const doc = parseMerinoText(text, designStem(path));
  return { path, doc, diagnostics: validateMerinoDocument(doc) };
}

/** The config of a design file without errors; otherwise a UserError quoting the first error. */
export async function loadDesign(path: string): Promise<MerinoConfig> {
  const f = await readDesignFile(path);
  if (hasErrors(f.diagnostics)) {
    const errors = f.diagnostics.filter((d) => d.severity === 'error');
    throw new UserError(formatDiagnostic(path, f.doc.text, errors[0]), `${errors.length} error(s); run merino check ${path}`);
  }
  return f.doc.config;
}
