/** The three lenses at the top of a design file; the extension implements the commands. */
import type { CodeLens } from 'vscode-languageserver';

export const LENS_COMMANDS = [
  { title: 'Estimate', command: 'merino.estimate' },
  { title: 'Run search', command: 'merino.runSearch' },
  { title: 'Open results', command: 'merino.openResults' },
] as const;

export function designLenses(uri: string): CodeLens[] {
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return LENS_COMMANDS.map(({ title, command }) => ({ range: top, command: { title, command, arguments: [uri] } }));
}
