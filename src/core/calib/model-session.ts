import { toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType, type ModelProto } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors';
import { decode16 } from '../onnx/dtype';
import type { OnnxModel } from '../onnx/model-file';

export interface SessionOptions {
  /** onnxruntime intra-op threads (default: onnxruntime's choice, one per core). */
  threads?: number;
  /**
   * onnxruntime graph optimization level (default 'all'). Fusions such as SkipLayerNormalization
   * depend on which tensors are graph outputs, so values can differ in the last bit between graphs.
   */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Let onnxruntime's pool threads spin between parallel sections (default false: after each run
   * the JS side works on the outputs, and spinning threads would take its core).
   */
  spinning?: boolean;
  /** onnxruntime-node execution providers in order of preference (default: onnxruntime's, cpu). */
  executionProviders?: string[];
}

/** The session fields a pipeline passes on to every session it opens. */
export function runtimeOptions(o: SessionOptions): Pick<SessionOptions, 'threads' | 'executionProviders'> {
  return { threads: o.threads, executionProviders: o.executionProviders };
}

/**
 * Opens an onnxruntime session on `proto`, a (possibly modified) graph of `model`, from memory.
 * External data is found through onnxruntime's `session.model_external_initializers_file_folder_path`
 * (the model's own folder), so nothing is written to disk and the data file is read in place.
 */
export async function openSession(model: OnnxModel, proto: ModelProto, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = toBinary(ModelProtoSchema, proto);
  const options: ort.InferenceSession.SessionOptions = {
    ...(opts.threads !== undefined && { intraOpNumThreads: opts.threads }),
    ...(opts.executionProviders && { executionProviders: opts.executionProviders }),
    interOpNumThreads: 1,
    graphOptimizationLevel: opts.graphOptimization ?? 'all',
    logSeverityLevel: 3,
    extra: { session: { model_external_initializers_file_folder_path: model.dir, 'intra_op.allow_spinning': opts.spinning ? '1' : '0' } },
  };
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (e) {
    throw providerError(e as Error, opts.executionProviders, model.path) ?? new UserError(`${model.path}: onnxruntime cannot load the model (${firstLine(e as Error)})`);
  }
}

/**
 * The one-line error for a session that failed because onnxruntime-node cannot use the execution
 * providers asked for (undefined when none were asked for or the failure is something else).
 */
export function providerError(e: Error, providers: readonly string[] | undefined, modelPath: string): UserError | undefined {
  const reason = firstLine(e);
  if (!providers || !/backend not found|ExecutionProvider|execution provider/i.test(reason)) return undefined;
  return new UserError(`onnxruntime-node cannot use execution providers ${providers.join(',')} for ${modelPath} (${reason})`, 'use --execution-providers cpu, or an onnxruntime-node build with that provider');
}

function firstLine(e: Error): string {
  return e.message.split('\n')[0]!;
}

/** Keeps only the feeds the session declares as inputs (a pruned graph may need fewer). */
export function feedsFor(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  return Object.fromEntries(session.inputNames.filter((n) => n in feeds).map((n) => [n, feeds[n]!]));
}

/** The data of a float output as fp32 (fp16 outputs are widened). */
export function float32Data(tensor: ort.Tensor, name: string): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return decode16(tensor.data as Uint16Array, TensorProto_DataType.FLOAT16);
  throw new UserError(`activation "${name}" has type ${tensor.type}`, 'only float32 and float16 activations are supported');
}
