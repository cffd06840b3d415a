/** Progress of a long job: `done` of `total` units of `stage` (e.g. "calibrating", 37, 128). */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  detail?: string;
}

export type ProgressCallback = (progress: Progress) => void;

/** Options every long-running core function accepts. */
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}
