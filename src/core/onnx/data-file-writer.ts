import { open, type FileHandle } from 'node:fs/promises';

/** Offsets of external tensors are aligned to a page so runtimes can mmap them. */
export const EXTERNAL_ALIGNMENT = 4096;
const COPY_CHUNK = 8 << 20;

/**
 * Appends tensors to an external data file, each at a page-aligned offset, either from memory or
 * copied from another file in bounded chunks (positioned reads), never holding a whole file.
 */
export class DataFileWriter {
  private offset = 0;
  private chunk: Uint8Array | undefined;
  private readonly sources = new Map<string, FileHandle>();

  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<DataFileWriter> {
    return new DataFileWriter(await open(path, 'wx'));
  }

  /** Writes bytes; returns the offset where they start. */
  async append(bytes: Uint8Array): Promise<number> {
    const start = this.align();
    await this.writeAll(bytes, start);
    this.offset = start + bytes.length;
    return start;
  }

  /** Copies `length` bytes at `offset` of `file`; returns the offset where they start here. */
  async copyFrom(file: string, offset: number, length: number): Promise<number> {
    const src = await this.source(file);
    const start = this.align();
    this.chunk ??= new Uint8Array(COPY_CHUNK);
    for (let done = 0; done < length; ) {
      const want = Math.min(COPY_CHUNK, length - done);
      const { bytesRead } = await src.read(this.chunk, 0, want, offset + done);
      if (bytesRead === 0) throw new Error(`${file} ends at ${offset + done}, expected ${offset + length} bytes`);
      await this.writeAll(this.chunk.subarray(0, bytesRead), start + done);
      done += bytesRead;
    }
    this.offset = start + length;
    return start;
  }

  get size(): number {
    return this.offset;
  }

  async close(): Promise<void> {
    for (const src of this.sources.values()) await src.close();
    this.sources.clear();
    await this.fh.close();
  }

  private align(): number {
    return Math.ceil(this.offset / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
  }

  private async writeAll(bytes: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  private async source(file: string): Promise<FileHandle> {
    let fh = this.sources.get(file);
    if (!fh) {
      fh = await open(file, 'r');
      this.sources.set(file, fh);
    }
    return fh;
  }
}
