import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import type { ActivationStats } from './collect-stats';
import { channelEntropy, channelRms } from './channel-stats';

/** The per-channel arrays written for each tapped activation, in this order. */
export const STATS_ARRAYS = ['entropy', 'rms', 'min', 'max'] as const;
export type StatsArrayName = (typeof STATS_ARRAYS)[number];

/** Where one array lies in the .bin file: little-endian float32, `length` values from byte `offset`. */
export interface ArrayRef {
  offset: number;
  length: number;
}

export interface StatsFileEntry {
  tensor: string;
  layers: string[];
  channels: number;
  count: number;
  sequences: number;
  arrays: Record<StatsArrayName, ArrayRef>;
}

/** The JSON header of a stats file (docs/stats-format.md). */
export interface StatsFileHeader {
  format: 'merino-stats';
  version: 1;
  model: string;
  /** Free-form description of the calibration data (file, samples, seqlen, seed, …). */
  calibration: Record<string, unknown>;
  bins: number;
  /** The .bin file, relative to the header. */
  binary: string;
  entries: StatsFileEntry[];
}

/**
 * Writes `out` (JSON header) and `out` with `.bin` in place of `.json` (the arrays), each to a
 * temporary name renamed on success.
 */
export function writeStatsFile(out: string, result: ActivationStats, meta: { model: string; calibration: Record<string, unknown> }): StatsFileHeader {
  const jsonPath = resolve(out);
  const binPath = binaryPathFor(jsonPath);
  const entries: StatsFileEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const tap of result.taps) {
    const s = result.stats.get(tap.tensor)!;
    const values: Record<StatsArrayName, Float64Array> = { entropy: channelEntropy(s), rms: channelRms(s), min: s.min, max: s.max };
    const arrays = {} as Record<StatsArrayName, ArrayRef>;
    for (const name of STATS_ARRAYS) {
      chunks.push(Float32Array.from(values[name]));
      arrays[name] = { offset, length: tap.channels };
      offset += tap.channels * 4;
    }
    entries.push({ tensor: tap.tensor, layers: tap.layers, channels: tap.channels, count: s.count, sequences: s.sequences, arrays });
  }
  const header: StatsFileHeader = { format: 'merino-stats', version: 1, model: meta.model, calibration: meta.calibration, bins: result.bins, binary: basename(binPath), entries };
  writeAtomically(binPath, Buffer.concat(chunks.map((c) => new Uint8Array(c.buffer))));
  writeAtomically(jsonPath, JSON.stringify(header, null, 2) + '\n');
  return header;
}

/** `stats.json` → `stats.bin`; any other name gets `.bin` appended. */
export function binaryPathFor(jsonPath: string): string {
  return jsonPath.endsWith('.json') ? jsonPath.slice(0, -5) + '.bin' : jsonPath + '.bin';
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A stats file read back: the header and, per entry, its arrays. */
export interface StatsFile {
  header: StatsFileHeader;
  arrays: Map<string, Record<StatsArrayName, Float32Array>>;
}

export function readStatsFile(path: string): StatsFile {
  const jsonPath = resolve(path);
  const header = JSON.parse(readFileSync(jsonPath, 'utf8')) as StatsFileHeader;
  if (header.format !== 'merino-stats' || header.version !== 1) throw new UserError(`${jsonPath}: not a merino stats file (version 1)`);
  const bin = readFileSync(join(dirname(jsonPath), header.binary));
  const view = (ref: ArrayRef) => new Float32Array(bin.buffer.slice(bin.byteOffset + ref.offset, bin.byteOffset + ref.offset + ref.length * 4));
  const arrays = new Map(header.entries.map((e) => [e.tensor, Object.fromEntries(STATS_ARRAYS.map((n) => [n, view(e.arrays[n])])) as Record<StatsArrayName, Float32Array>]));
  return { header, arrays };
}
