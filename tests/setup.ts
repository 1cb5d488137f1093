import fc from 'fast-check';

// Property tests are replayable: FC_SEED=<n> npm test reruns with the same seed; the seed in use is printed once.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() ^ (Math.random() * 0x100000000);
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 100) });
if (!(globalThis as { __fcSeedPrinted?: boolean }).__fcSeedPrinted) {
  (globalThis as { __fcSeedPrinted?: boolean }).__fcSeedPrinted = true;
  console.log(`fast-check seed: ${seed} (replay with FC_SEED=${seed})`);
}
