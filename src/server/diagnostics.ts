/**
 * The diagnostics of one document version. Schema and JSON syntax problems come from
 * vscode-json-languageservice; MeRino semantics from src/core/config (asked for semantics only,
 * so the two never report the same schema problem). Any remaining overlap — same start, same
 * message — is published once. Codes match `merino check`: "json-syntax", "schema", then the
 * semantic codes of docs/merino-format.md. A `bounded` document (far beyond a design file's
 * scale, see design-scale.ts) gets its schema problems from core's bounded validator instead.
 */
import { ErrorCode, type LanguageService } from 'vscode-json-languageservice';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { MerinoDiagnostic, Severity } from '../core/config/diagnostic';
import { type MerinoDocument, rangeOfPath, validateMerinoDocument } from '../core/config/merino-document';
import type { Analysis } from './analysis-store';

export const SOURCE = 'merino';
/** More than this many problems helps nobody and makes every publish slow. */
export const MAX_PUBLISHED = 200;
/** Codes src/core/config reports that the JSON service already reports in its own words. */
const REPORTED_BY_JSON_SERVICE = new Set(['json-syntax', 'schema', 'file-too-large']);

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export async function computeDiagnostics(doc: TextDocument, analysis: Analysis, service: LanguageService): Promise<Diagnostic[]> {
  if (analysis.blocked) return [analysis.blocked];
  // A bounded document gets its schema problems from core's bounded validator, syntax from the JSON service.
  const { bounded } = analysis;
  const fromJson = await service.doValidation(doc, analysis.json, { schemaValidation: bounded ? 'ignore' : 'error', comments: 'ignore', trailingCommas: 'ignore' });
  const semantic = validateMerinoDocument(analysis.merino, { schema: bounded })
    .filter((d) => !REPORTED_BY_JSON_SERVICE.has(d.code) || (bounded && d.code === 'schema'))
    .map((d) => fromMerino(doc, analysis.merino, d));
  return dedupe([...fromJson.map(fromJsonService), ...semantic]).slice(0, MAX_PUBLISHED);
}

function fromJsonService(d: Diagnostic): Diagnostic {
  const syntax = typeof d.code === 'number' && d.code >= ErrorCode.UnexpectedEndOfComment && d.code < ErrorCode.SchemaUnsupportedFeature;
  return { range: d.range, severity: d.severity ?? DiagnosticSeverity.Error, source: SOURCE, code: syntax ? 'json-syntax' : 'schema', message: d.message };
}

function fromMerino(doc: TextDocument, merino: MerinoDocument, d: MerinoDiagnostic): Diagnostic {
  let { start, end } = d.range ?? rangeOfPath(merino, d.path);
  // A problem of the whole file (path []) marks its first character, not every line of it.
  if (d.path.length === 0) end = Math.min(end, start + 1);
  const diagnostic: Diagnostic = {
    range: { start: doc.positionAt(start), end: doc.positionAt(end) },
    severity: severities[d.severity],
    source: SOURCE,
    code: d.code,
    message: d.message,
  };
  // Code actions get the path and the fix data back from the client (LSP 3.16 Diagnostic.data).
  diagnostic.data = { path: d.path, fix: d.data };
  return diagnostic;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.range.start.line}:${d.range.start.character}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
