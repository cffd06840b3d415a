import { open, type FileHandle } from 'node:fs/promises';
import { create, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, TensorProtoSchema, type ModelProto, type TensorProto } from 'onnx-buf';

// Wire tags (field number << 3 | 2 for length-delimited fields).
const MODEL_GRAPH = (7 << 3) | 2;
const GRAPH_INITIALIZER = (5 << 3) | 2;
const TENSOR_RAW_DATA = (9 << 3) | 2;

/**
 * Writes a ModelProto to a new file without materialising the whole serialized message:
 * `toBinary` copies every nested message's bytes once per nesting level (2–3× the model in
 * memory), so the graph's initializers are written one by one and their raw_data straight from
 * the existing buffers. Protobuf allows fields in any order and concatenates repeated fields, so
 * the file parses to the same message (graph last in ModelProto, initializers last in GraphProto,
 * raw_data last in each TensorProto).
 */
export async function writeModelFile(path: string, proto: ModelProto): Promise<void> {
  const graph = proto.graph!;
  const graphHead = toBinary(GraphProtoSchema, copyWithout(GraphProtoSchema, graph, ['initializer']));
  const tensors = graph.initializer.map(tensorParts);
  const graphLength = graphHead.length + tensors.reduce((n, t) => n + fieldLength(t.length), 0);
  const fh = await open(path, 'wx');
  try {
    await writeAll(fh, toBinary(ModelProtoSchema, copyWithout(ModelProtoSchema, proto, ['graph'])));
    await writeAll(fh, header(MODEL_GRAPH, graphLength));
    await writeAll(fh, graphHead);
    for (const t of tensors) {
      await writeAll(fh, header(GRAPH_INITIALIZER, t.length));
      await writeAll(fh, t.head);
      if (t.raw) {
        await writeAll(fh, header(TENSOR_RAW_DATA, t.raw.length));
        await writeAll(fh, t.raw);
      }
    }
  } finally {
    await fh.close();
  }
}

/** A tensor's fields except raw_data (serialized), and raw_data when set. */
function tensorParts(t: TensorProto): { head: Uint8Array; raw: Uint8Array | undefined; length: number } {
  const raw = Object.prototype.hasOwnProperty.call(t, 'rawData') ? t.rawData : undefined;
  const head = toBinary(TensorProtoSchema, copyWithout(TensorProtoSchema, t, ['rawData']));
  return { head, raw, length: head.length + (raw ? fieldLength(raw.length) : 0) };
}

/**
 * A copy of a message without some fields. The copy is made with `create` so unset proto2 fields
 * stay unset (defaults on the prototype); own fields, including `$unknown`, are carried over.
 */
export function copyWithout<D extends DescMessage>(schema: D, message: MessageShape<D>, omit: string[]): MessageShape<D> {
  const copy = create(schema) as Record<string, unknown>;
  for (const [k, v] of Object.entries(message)) if (!omit.includes(k)) copy[k] = v;
  return copy as MessageShape<D>;
}

function fieldLength(payload: number): number {
  return 1 + varint(payload).length + payload;
}

function header(tag: number, length: number): Uint8Array {
  return Uint8Array.of(tag, ...varint(length));
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}
