import { isAbsolute, relative, resolve } from 'node:path';
import { TensorProto_DataLocation, type TensorProto } from 'onnx-buf';
import { UserError } from '../errors';

/** Where an external tensor's bytes live: `location` relative to the model folder. */
export interface ExternalRef {
  location: string;
  offset: number;
  /** Bytes; undefined when the entry omits it (then the tensor's natural size is used). */
  length: number | undefined;
}

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/** Parses a tensor's external_data entries (location/offset/length). */
export function externalRef(t: TensorProto, modelPath: string): ExternalRef {
  const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw new UserError(`${modelPath}: tensor "${t.name}" is marked external but has no location`);
  return {
    location,
    offset: parseCount(entries.get('offset') ?? '0', 'offset', t, modelPath),
    length: entries.has('length') ? parseCount(entries.get('length')!, 'length', t, modelPath) : undefined,
  };
}

function parseCount(v: string, key: string, t: TensorProto, modelPath: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UserError(`${modelPath}: tensor "${t.name}" has an invalid external ${key} "${v}"`);
  return n;
}

/**
 * The absolute path of an external data file, refusing locations that escape the model folder
 * (absolute paths or `..`): ONNX defines them as relative to the model, and a model must not make
 * the tool read arbitrary files.
 */
export function resolveLocation(dir: string, location: string, modelPath: string): string {
  const full = resolve(dir, location);
  const rel = relative(dir, full);
  if (isAbsolute(location) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UserError(`${modelPath}: external data location "${location}" is outside the model folder`, 'external data must sit next to the model');
  }
  return full;
}
