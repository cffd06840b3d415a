/**
 * Decides, before any parsing, whether a document is safe to analyse: the JSON parser recurses
 * per nesting level (a 10,000-level document overflows the stack) and schema validation of a
 * multi-megabyte document takes seconds. Both checks are single linear passes.
 */
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findExcessNesting } from './nesting';
import type { ServerSettings } from './settings';

export const GATE_SOURCE = 'merino';

/** Undefined when the document may be analysed; otherwise the one diagnostic to show instead. */
export function gateDocument(doc: TextDocument, settings: ServerSettings): Diagnostic | undefined {
  const text = doc.getText();
  if (text.length > settings.maxAnalysisChars) {
    return {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: GATE_SOURCE,
      code: 'too-large',
      message: `This file is ${formatSize(text.length)}, above the ${formatSize(settings.maxAnalysisChars)} analysis limit: schema and MeRino checks, hover and completion are off for it.`,
    };
  }
  const at = findExcessNesting(text, settings.maxNestingDepth);
  if (at >= 0) {
    const start = doc.positionAt(at);
    return {
      range: { start, end: doc.positionAt(at + 1) },
      severity: DiagnosticSeverity.Error,
      source: GATE_SOURCE,
      code: 'too-deep',
      message: `Nesting deeper than ${settings.maxNestingDepth} levels: a design file is at most a few levels deep. Checks, hover and completion are off until this is fixed.`,
    };
  }
  return undefined;
}

function formatSize(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / 1024 / 1024).toFixed(1)} MB` : `${Math.round(chars / 1024)} KB`;
}
