import { createWriteStream, renameSync, unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_RATINGS_PATH, loadRatings } from '../../data/ratings.js';
import { OUTCOME_LABEL, OUTCOMES } from '../../data/schema.js';
import { InputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { DEFAULT_SIMULATE, type SimBattle, uniformBattleSampler } from '../../sim/generate.js';
import type { CliIO } from '../io.js';
import { greaterThanOne, nonNegativeInt, positiveNumber, probability, seedArg } from '../options.js';

/** Registers `arena simulate`. */
export function registerSimulate(program: Command, io: CliIO): void {
  program
    .command('simulate')
    .description('generate battles (JSONL) from true ratings under Bradley–Terry with ties')
    .option('--ratings <file>', 'true ratings JSON {"models":[{"model","rating"}]} (default: the embedded April 2026 leaderboard)')
    .option('--battles <n>', 'number of battles', nonNegativeInt, 100000)
    .option('--seed <n>', 'random seed', seedArg, 42)
    .option('--tie-rate <p>', 'probability of a tie (capped per pair so that the expected score stays the BT probability)', probability, DEFAULT_SIMULATE.tieRate)
    .option('--bothbad-share <p>', 'share of ties labelled "tie (bothbad)"', probability, DEFAULT_SIMULATE.bothbadShare)
    .option('--scale <n>', 'rating points per factor <base> in odds', positiveNumber, 400)
    .option('--base <n>', 'odds base of the scale', greaterThanOne, 10)
    .option('--out <file>', 'write the battles to this file (atomically) instead of stdout')
    .action(async (o: Record<string, unknown>) => {
      const truth = loadRatings((o.ratings as string | undefined) ?? DEFAULT_RATINGS_PATH);
      const rng = createRng(o.seed as string | number);
      const next = uniformBattleSampler(truth, { tieRate: o.tieRate as number, bothbadShare: o.bothbadShare as number, scale: o.scale as number, base: o.base as number }, rng);
      const names = truth.models.map((n) => JSON.stringify(n));
      const labels = OUTCOMES.map((x) => JSON.stringify(OUTCOME_LABEL[x]));
      const n = o.battles as number;
      const out = o.out as string | undefined;
      const tmp = out ? `${out}.${process.pid}.tmp` : undefined;
      const stream = tmp ? createWriteStream(tmp) : null;
      const sink = stream ?? io.stdoutStream;
      const write = async (text: string) => {
        if (!sink) return io.stdout(text);
        if (!sink.write(text)) await new Promise<void>((r) => sink.once('drain', () => r()));
      };
      const x: SimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0 };
      try {
        let chunk = '';
        for (let i = 0; i < n; i++) {
          next(i, x);
          chunk += `{"model_a":${names[x.a]},"model_b":${names[x.b]},"winner":${labels[x.outcome]},"tstamp":${x.tstamp}}\n`;
          if (chunk.length > 1 << 20) {
            await write(chunk);
            chunk = '';
          }
        }
        await write(chunk);
        if (stream) {
          await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
          renameSync(tmp!, out!);
        }
      } catch (e) {
        if (tmp) {
          stream?.destroy();
          try {
            unlinkSync(tmp);
          } catch {
            // already gone
          }
        }
        throw e instanceof InputError ? e : new InputError(`cannot write (${(e as Error).message})`, { file: out ?? '<stdout>' });
      }
    });
}
