import { closeSync, mkdtempSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';

/**
 * A private temporary file of fp32 activations, written sequentially in pass 1 and read back by
 * position in pass 2, on two threads (histogram-share.ts, docs/calibration.md): it lets the histogram
 * use the exact final min/max without holding all activations in memory or running the model twice.
 */
export class ActivationSpill {
  /** Open for reading and writing; read it by position with readFloatsAt. */
  readonly fd: number;
  private writePos = 0;

  readonly path: string;

  private constructor(readonly dir: string) {
    this.path = join(dir, 'activations.f32');
    this.fd = openSync(this.path, 'w+', 0o600);
  }

  /** Creates the file in a fresh folder under `parent` (default: the OS temp folder). */
  static create(parent = tmpdir()): ActivationSpill {
    try {
      return new ActivationSpill(mkdtempSync(join(parent, 'merino-calib-')));
    } catch (e) {
      throw new UserError(`${parent}: cannot create the activation spill folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'give a writable temp folder');
    }
  }

  get bytesWritten(): number {
    return this.writePos;
  }

  append(data: Float32Array): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, this.writePos + done);
    this.writePos += bytes.length;
  }

  /** Closes and deletes the file and its folder. Safe to call twice. */
  dispose(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads `length` floats at byte `position` of the file `fd` into the start of `into`; returns that view. */
export function readFloatsAt(fd: number, into: Float32Array, length: number, position: number): Float32Array {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, length * 4);
  for (let done = 0; done < bytes.length; ) {
    const n = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (n === 0) throw new Error(`activation spill file ended early at byte ${position + done}`);
    done += n;
  }
  return into.subarray(0, length);
}

/** Free bytes on the file system holding `dir` (0 when it cannot be read). */
export function freeBytes(dir = tmpdir()): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}
