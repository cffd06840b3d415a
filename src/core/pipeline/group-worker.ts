// Worker-thread entry (bundled as dist/group-worker.js): runs pruneGroup for the main thread's
// GroupWorkers pool, one job at a time, and sends the result back with its buffers transferred.
import { parentPort } from 'node:worker_threads';
import { UserError } from '../errors';
import { PatternPruner } from '../prune/nm-kernel';
import { pruneGroup, type GroupJob } from './group-pruning';
import { resultBuffers, type FromWorker } from './group-workers';

const pruners = new Map<string, PatternPruner>();

function prunerFor(job: GroupJob): PatternPruner | undefined {
  const pattern = job.method.pattern;
  if (!pattern) return undefined;
  const key = `${pattern.n}:${pattern.m}`;
  let pruner = pruners.get(key);
  if (!pruner) pruners.set(key, (pruner = new PatternPruner(pattern)));
  return pruner;
}

parentPort!.on('message', ({ id, job }: { id: number; job: GroupJob }) => {
  let reply: FromWorker;
  try {
    const result = pruneGroup(job, prunerFor(job));
    reply = { id, result };
  } catch (e) {
    reply = { id, error: { message: (e as Error).message, user: e instanceof UserError } };
  }
  parentPort!.postMessage(reply, 'result' in reply ? resultBuffers(reply.result) : []);
});
