/**
 * Worker-thread entry of {@link ../stats/bootstrap.bootstrapRatings}: prepares the job once (workerData), then
 * runs the chunks of rounds it is sent (`{ type: 'run', from, to }`) and posts their ratings (and control
 * variates, for likelihood models) back. Not a public API.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type BootstrapJob, prepareRounds, type RoundStats, runRounds } from './bootstrap-rounds.js';

const { job, seed } = workerData as { job: BootstrapJob; seed: string | number };
const runner = prepareRounds(job, seed);
parentPort!.on('message', (msg: { type: 'run'; from: number; to: number }) => {
  const ratings = new Float64Array((msg.to - msg.from) * runner.models);
  const control = runner.hasControl ? new Float64Array(ratings.length) : null;
  const extra = runner.extras ? new Float64Array((msg.to - msg.from) * runner.extras) : null;
  const stats: RoundStats = { fallbacks: 0, degenerate: 0, unconverged: 0 };
  runRounds(runner, msg.from, msg.to, ratings, stats, undefined, control ?? undefined, extra ?? undefined);
  const transfer = [ratings.buffer, ...(control ? [control.buffer] : []), ...(extra ? [extra.buffer] : [])];
  parentPort!.postMessage({ from: msg.from, to: msg.to, ratings, control, extra, stats }, transfer);
});
