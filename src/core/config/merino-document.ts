/**
 * A design file's text parsed once (jsonc-parser, with offsets), its normalized config, and the
 * diagnostics of it: what `merino check` prints and what the language server publishes.
 */
import { type Node, type ParseError, type SyntaxKind, createScanner, findNodeAtLocation, getLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import schemaJson from '../../../schemas/merino.schema.json';
import type { JsonPath, MerinoDiagnostic } from './diagnostic';
import type { MerinoConfig } from './merino-config';
import { type Section, normalizeConfig } from './normalize';
import { type Schema, validateSchema } from './schema-validator';
import { semanticChecks } from './semantic-checks';

/** The JSON Schema shipped in schemas/merino.schema.json. */
export const MERINO_SCHEMA = schemaJson as unknown as Schema;
/** Texts longer than this are not parsed (a design file is a few kilobytes). */
export const MAX_TEXT_LENGTH = 4 * 1024 * 1024;
/** Deeper nesting is refused before parsing (a design file nests 6 deep; the parser recurses). */
export const MAX_NESTING = 64;
/** At most this many diagnostics are returned. */
export const MAX_DIAGNOSTICS = 200;

export interface MerinoDocument {
  text: string;
  /** Undefined when the text is too long or not JSON at all. */
  root?: Node;
  syntaxErrors: MerinoDiagnostic[];
  config: MerinoConfig;
  invalid: ReadonlySet<Section>;
  /** Problems found while normalizing (quantities out of range). */
  problems: MerinoDiagnostic[];
}

export interface ValidateOptions {
  /** Include schema diagnostics (default true); the language server gets those from vscode-json-languageservice. */
  schema?: boolean;
  /** Include semantic diagnostics (default true). */
  semantic?: boolean;
}

function syntaxDiagnostic(e: ParseError): MerinoDiagnostic {
  return { path: [], range: { start: e.offset, end: e.offset + Math.max(1, e.length) }, severity: 'error', code: 'json-syntax', message: `Invalid JSON: ${printParseErrorCode(e.error)}.` };
}

/** jsonc-parser's SyntaxKind values (a const enum, which isolatedModules cannot read). */
const TOKEN = { openBrace: 1, closeBrace: 2, openBracket: 3, closeBracket: 4, eof: 17 } as const satisfies Record<string, SyntaxKind>;

/** A problem that stops parsing: too long, or nested too deep (one linear scan, no recursion). */
function unparseable(text: string): MerinoDiagnostic | undefined {
  if (text.length > MAX_TEXT_LENGTH) {
    return { path: [], range: { start: 0, end: 1 }, severity: 'error', code: 'file-too-large', message: `The file has ${text.length} characters; a design file is at most ${MAX_TEXT_LENGTH}.` };
  }
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let t: number = scanner.scan(); t !== TOKEN.eof; t = scanner.scan()) {
    if (t === TOKEN.openBrace || t === TOKEN.openBracket) depth++;
    else if (t === TOKEN.closeBrace || t === TOKEN.closeBracket) depth--;
    if (depth > MAX_NESTING) {
      const at = scanner.getTokenOffset();
      return { path: [], range: { start: at, end: at + 1 }, severity: 'error', code: 'too-deep', message: `Objects and arrays are nested more than ${MAX_NESTING} deep here; a design file nests at most 6.` };
    }
  }
  return undefined;
}

/** Parses and normalizes a design file's text; never throws. `name` is used when the file names none. */
export function parseMerinoText(text: string, name = 'design'): MerinoDocument {
  const refused = unparseable(text);
  if (refused) {
    const { config } = normalizeConfig(undefined, name);
    return { text, syntaxErrors: [refused], config, invalid: new Set(['model']), problems: [] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const { config, invalid, problems } = normalizeConfig(root ? getNodeValue(root) : undefined, name);
  if (!root || root.type !== 'object') (invalid as Set<Section>).add('model');
  return { text, root, syntaxErrors: errors.slice(0, 20).map(syntaxDiagnostic), config, invalid, problems };
}

/** The node at `path`, or its nearest existing ancestor. */
export function nodeAtPath(doc: MerinoDocument, path: JsonPath): Node | undefined {
  if (!doc.root) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(doc.root, path.slice(0, n));
    if (node) return node;
  }
  return doc.root;
}

/** Offsets of the value at `path` (or of its nearest ancestor). */
export function rangeOfPath(doc: MerinoDocument, path: JsonPath): { start: number; end: number } {
  const node = nodeAtPath(doc, path);
  if (!node) return { start: 0, end: Math.min(1, doc.text.length) };
  // For an object or array, point at its key (or its first character) rather than the whole block.
  if ((node.type === 'object' || node.type === 'array') && node.parent?.type === 'property') {
    const key = node.parent.children![0];
    return { start: key.offset, end: key.offset + key.length };
  }
  return { start: node.offset, end: node.offset + node.length };
}

/** Diagnostics of a parsed document, sorted by position. */
export function validateMerinoDocument(doc: MerinoDocument, opts: ValidateOptions = {}): MerinoDiagnostic[] {
  const out = [...doc.syntaxErrors];
  if (doc.root && opts.schema !== false) out.push(...validateSchema(doc.root, MERINO_SCHEMA, MAX_DIAGNOSTICS));
  if (doc.root && opts.semantic !== false) {
    for (const d of [...doc.problems, ...semanticChecks(doc.config, doc.invalid)]) out.push({ ...d, range: rangeOfPath(doc, d.path) });
  }
  return out.slice(0, MAX_DIAGNOSTICS).sort((a, b) => (a.range?.start ?? 0) - (b.range?.start ?? 0));
}

/** Diagnostics of a design file's text (schema and semantic, or either with `opts`); never throws. */
export function validateMerinoText(text: string, opts: ValidateOptions = {}): MerinoDiagnostic[] {
  return validateMerinoDocument(parseMerinoText(text), opts);
}

/** What the cursor is on: its JSON path, and the arch block or budget it belongs to. */
export interface MerinoLocation {
  path: JsonPath;
  section?: string;
  /** Index into arch.blocks when the offset is inside one. */
  archBlock?: number;
  /** "params" | "flops" | "latency" when inside budget.<key>. */
  budgetKey?: string;
  /** A device name when inside devices.<name> or budget.latency.device. */
  device?: string;
}

export function locateAt(doc: MerinoDocument, offset: number): MerinoLocation {
  const path = getLocation(doc.text, offset).path;
  const loc: MerinoLocation = { path, section: typeof path[0] === 'string' ? path[0] : undefined };
  if (path[0] === 'arch' && path[1] === 'blocks' && typeof path[2] === 'number') loc.archBlock = path[2];
  if (path[0] === 'budget' && typeof path[1] === 'string' && ['params', 'flops', 'latency'].includes(path[1])) loc.budgetKey = path[1];
  if (path[0] === 'devices' && typeof path[1] === 'string') loc.device = path[1];
  if (path[0] === 'budget' && path[1] === 'latency') loc.device = doc.config.budget.latency?.device;
  return loc;
}
