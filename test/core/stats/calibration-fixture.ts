import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleWindows, type TokenWindows } from '../../../src/core/calib/sampling';
import { loadModel, type OnnxModel } from '../../../src/core/onnx/model-file';
import { writeFixture, type FixtureVariant } from '../../fixtures/build-fixtures';
import { seededRandom } from '../../fixtures/onnx-builder';

/** A fixture decoder (vocab 256) written to a fresh temp folder and loaded. */
export async function fixtureModel(variant: FixtureVariant = 'basic'): Promise<OnnxModel> {
  const dir = mkdtempSync(join(tmpdir(), 'merino-stats-model-'));
  return loadModel(await writeFixture(dir, variant));
}

/** `samples` seeded windows of `seqlen` from a random byte stream. */
export function randomWindows(samples: number, seqlen: number, seed = 3): TokenWindows {
  const rand = seededRandom(seed);
  const stream = Int32Array.from({ length: 4096 }, () => Math.floor(rand() * 256));
  return sampleWindows(stream, samples, seqlen, seed, 'random.txt');
}
