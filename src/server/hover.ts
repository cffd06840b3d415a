/** Hover, always as one markdown MarkupContent: the schema's title and description (vscode-json-languageservice), then MeRino's figures. */
import type { LanguageService } from 'vscode-json-languageservice';
import { type Hover, MarkupKind, type Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type MerinoDocument, locateAt } from '../core/config/merino-document';
import type { Analysis } from './analysis-store';
import { type FigureTarget, figuresMarkdown } from './figures';

export async function computeHover(doc: TextDocument, position: Position, analysis: Analysis, service: LanguageService): Promise<Hover | null> {
  if (analysis.blocked) return null;
  const schemaHover = analysis.bounded ? null : await service.doHover(doc, position, analysis.json);
  const target = figureTarget(analysis.merino, doc.offsetAt(position));
  const figures = target && figuresMarkdown(analysis.merino, target);
  const parts = [markdownOf(schemaHover), figures].filter(Boolean);
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: schemaHover?.range };
}

function figureTarget(merino: MerinoDocument, offset: number): FigureTarget | undefined {
  const loc = locateAt(merino, offset);
  if (loc.section === 'arch') return loc.archBlock === undefined ? { kind: 'arch' } : { kind: 'block', index: loc.archBlock };
  if (loc.section === 'budget') return { kind: 'budget' };
  return undefined;
}

/** The schema hover's contents as one markdown string (the JSON service returns MarkedString[]). */
function markdownOf(hover: Hover | null): string {
  if (!hover) return '';
  const c = hover.contents;
  const parts = Array.isArray(c) ? c : [c];
  return parts.map((p) => (typeof p === 'string' ? p : 'kind' in p ? p.value : `\`\`\`${p.language}\n${p.value}\n\`\`\``)).join('\n\n');
}
