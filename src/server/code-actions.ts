/**
 * Quick fixes for the diagnostics that carry fix data (see diagnostics.ts: Diagnostic.data is
 * `{ path, fix }`): round a width to the nearest valid multiple, put a min/max pair in order,
 * replace an unknown device with the nearest known name (and any other `{ replace }` fix).
 * Edits are computed on the current AST, so a fix offered for a slightly older version still
 * lands on the right value.
 */
import type { ASTNode, JSONDocument } from 'vscode-json-languageservice';
import { type CodeAction, CodeActionKind, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { JsonPath } from '../core/config/diagnostic';
import { nodeAtPath } from './ast-path';
import { SOURCE } from './diagnostics';

interface FixData {
  path: JsonPath;
  fix?: { replace?: unknown; suggestion?: unknown; min?: unknown; max?: unknown };
}

/**
 * `published` are the diagnostics last sent for the document: a client that drops
 * Diagnostic.data (older LSP clients) still gets its fixes, matched by code and range.
 */
export function quickFixes(doc: TextDocument, json: JSONDocument, diagnostics: readonly Diagnostic[], published: readonly Diagnostic[] = []): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    const data = (diagnostic.data ?? published.find((p) => sameProblem(p, diagnostic))?.data) as FixData | undefined;
    if (diagnostic.source !== SOURCE || !data || !Array.isArray(data.path) || !data.fix) continue;
    const fix = fixFor(doc, json.root, data.path, data.fix);
    if (fix) actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [doc.uri]: fix.edits } } });
  }
  return actions;
}

function fixFor(doc: TextDocument, root: ASTNode | undefined, path: JsonPath, fix: NonNullable<FixData['fix']>): { title: string; edits: TextEdit[] } | undefined {
  if (typeof fix.min === 'number' && typeof fix.max === 'number') {
    const min = nodeAtPath(root, [...path, 'min']);
    const max = nodeAtPath(root, [...path, 'max']);
    if (!min || !max) return undefined;
    return { title: `Swap min and max (${fix.min}, ${fix.max})`, edits: [replaceNode(doc, min, fix.min), replaceNode(doc, max, fix.max)] };
  }
  const node = nodeAtPath(root, path);
  if (!node) return undefined;
  if (typeof fix.suggestion === 'string') return { title: `Replace with "${fix.suggestion}"`, edits: [replaceNode(doc, node, fix.suggestion)] };
  if (typeof fix.replace === 'number' && Number.isFinite(fix.replace)) {
    const value = tidy(fix.replace);
    return { title: `Change to ${value}`, edits: [replaceNode(doc, node, value)] };
  }
  return undefined;
}

function sameProblem(a: Diagnostic, b: Diagnostic): boolean {
  const r = a.range;
  const q = b.range;
  return a.code === b.code && r.start.line === q.start.line && r.start.character === q.start.character && r.end.line === q.end.line && r.end.character === q.end.character;
}

function replaceNode(doc: TextDocument, node: ASTNode, value: unknown): TextEdit {
  return { range: { start: doc.positionAt(node.offset), end: doc.positionAt(node.offset + node.length) }, newText: JSON.stringify(value) };
}

/** Integers stay; other numbers are rounded *up* to 4 significant digits (a limit must not shrink below the fix). */
function tidy(x: number): number {
  if (Number.isInteger(x) || x === 0) return x;
  const scale = 10 ** (3 - Math.floor(Math.log10(Math.abs(x))));
  return Math.ceil(x * scale) / scale;
}
