/** A problem in a design file, for the CLI (`merino check`) and the language server. */

export type JsonPath = (string | number)[];
export type Severity = 'error' | 'warning' | 'info';

export interface MerinoDiagnostic {
  /** JSON path of the offending value, e.g. ["searchSpace", "width", "min"]. */
  path: JsonPath;
  /** Character offsets [start, end) in the text, when validated from text. */
  range?: { start: number; end: number };
  severity: Severity;
  /** Stable identifier, listed in docs/merino-format.md. */
  code: string;
  message: string;
  /** Quick-fix data (see docs/merino-format.md): e.g. { replace: 768 } or { suggestion: "raspberry-pi-4" }. */
  data?: unknown;
}

export const hasErrors = (ds: readonly MerinoDiagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** `file:line:col: severity: message [code]`, as compilers print. */
export function formatDiagnostic(file: string, text: string, d: MerinoDiagnostic): string {
  const { line, column } = lineColumn(text, d.range?.start ?? 0);
  return `${file}:${line}:${column}: ${d.severity}: ${d.message} [${d.code}]`;
}
