import { statSync } from 'node:fs';
import { loadModel } from '../core/onnx/model-file';
import { summarizeModel } from '../core/onnx/model-summary';
import type { InspectJob, InspectResult, WorkerToHost } from '../protocol/job-messages';

/** The ONNX inspector's data: core's model summary (as `merino inspect`) and the metadata_props. */
export async function runInspectJob(job: InspectJob, signal: AbortSignal, send: (m: WorkerToHost) => void): Promise<InspectResult> {
  const model = await loadModel(job.model);
  const summary = await summarizeModel(model, { signal, onProgress: (p) => send({ type: 'progress', ...p }) });
  const metadata = Object.fromEntries(model.proto.metadataProps.map((p) => [p.key, p.value]));
  return { summary, metadata, fileBytes: statSync(job.model).size };
}
