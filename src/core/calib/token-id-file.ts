import { readFileSync } from 'node:fs';
import { UserError } from '../errors';

/** True for the file names read as token ids rather than text: `.json` and `.jsonl`. */
export function isTokenIdFile(path: string): boolean {
  return /\.jsonl?$/i.test(path);
}

/**
 * Reads token ids from `.json` (one array of ids, or an array of arrays) or `.jsonl` (one array
 * per line). Sequences are concatenated in file order into one stream.
 */
export function readTokenIdFile(path: string): Int32Array {
  const text = readFileSync(path, 'utf8');
  const rows = /\.jsonl$/i.test(path) ? parseLines(text, path) : parseJson(text, path, 'the file');
  const flat = Array.isArray(rows[0]) || rows.length === 0 ? (rows as unknown[]).flatMap((r, i) => checkRow(r, path, `sequence ${i}`)) : checkRow(rows, path, 'the array');
  return Int32Array.from(flat);
}

function parseJson(text: string, path: string, where: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: ${where} is not valid JSON (${(e as Error).message})`, 'give an array of token-id arrays');
  }
  if (!Array.isArray(value)) throw new UserError(`${path}: ${where} is not a JSON array`, 'give an array of token ids or of token-id arrays');
  return value;
}

function parseLines(text: string, path: string): unknown[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i] as const)
    .filter(([line]) => line !== '')
    .map(([line, i]) => parseJson(line, path, `line ${i + 1}`));
}

function checkRow(row: unknown, path: string, where: string): number[] {
  if (!Array.isArray(row)) throw new UserError(`${path}: ${where} is not an array of token ids`);
  for (const id of row) {
    if (!Number.isInteger(id)) throw new UserError(`${path}: ${where} holds ${JSON.stringify(id)}, not an integer token id`);
  }
  return row as number[];
}
