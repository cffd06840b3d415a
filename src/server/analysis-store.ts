/**
 * One parse per document version, shared by diagnostics, hover, completion and code actions:
 * vscode-json-languageservice's AST (schema features) and src/core/config's MerinoDocument
 * (semantics, figures). A document that fails the gate (too large, too deep) is never parsed;
 * one far beyond a design file's scale is marked `bounded` (see design-scale.ts).
 */
import type { JSONDocument, LanguageService } from 'vscode-json-languageservice';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type MerinoDocument, parseMerinoText } from '../core/config/merino-document';
import { gateDocument } from './document-gate';
import { beyondDesignScale } from './design-scale';
import type { ServerSettings } from './settings';

export type Analysis =
  | { version: number; blocked: Diagnostic; json?: undefined; merino?: undefined; bounded?: undefined }
  | { version: number; blocked?: undefined; json: JSONDocument; merino: MerinoDocument; bounded: boolean };

export class AnalysisStore {
  private readonly cache = new Map<string, Analysis>();

  constructor(private readonly service: LanguageService, private readonly settings: ServerSettings) {}

  get(doc: TextDocument): Analysis {
    const cached = this.cache.get(doc.uri);
    if (cached?.version === doc.version) return cached;
    const analysis = this.analyse(doc);
    this.cache.set(doc.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private analyse(doc: TextDocument): Analysis {
    const blocked = gateDocument(doc, this.settings);
    if (blocked) return { version: doc.version, blocked };
    const json = this.service.parseJSONDocument(doc);
    const merino = parseMerinoText(doc.getText(), nameFromUri(doc.uri));
    return { version: doc.version, json, merino, bounded: beyondDesignScale(json.root) };
  }
}

/** "file:///a/iot.merino.json" → "iot". */
export function nameFromUri(uri: string): string {
  const base = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  return base.replace(/\.merino\.json$/i, '').replace(/\.json$/i, '') || 'design';
}
