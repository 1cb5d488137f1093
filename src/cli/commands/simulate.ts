import { createWriteStream, renameSync, unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_RATINGS_PATH, loadRatings } from '../../data/ratings.js';
import { OUTCOME_LABEL, OUTCOMES } from '../../data/schema.js';
import { InputError } from '../../errors.js';
import { createRng } from '../../rng.js';
import { DEFAULT_SIMULATE, type SimBattle, uniformBattleSampler } from '../../sim/generate.js';
import { parseStyleEffect, parseVerbosity, styleMetadataJson } from '../../sim/style-cli.js';
import { type StyleSimBattle, styleBattleSampler } from '../../sim/style.js';
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
    .option('--style-effect <b1,b2,b3,b4>', 'write style counts (conv_metadata) and add this planted style effect to the logit: log-odds per unit of (a−b)/(a+b+1) for tokens, headers, lists, bold', parseStyleEffect)
    .option('--verbosity <model=factor>', 'answer-length multiplier of a model (repeatable; implies style counts)', parseVerbosity, new Map<string, number>())
    .action(async (o: Record<string, unknown>) => {
      const truth = loadRatings((o.ratings as string | undefined) ?? DEFAULT_RATINGS_PATH);
      const rng = createRng(o.seed as string | number);
      const simOpts = { tieRate: o.tieRate as number, bothbadShare: o.bothbadShare as number, scale: o.scale as number, base: o.base as number };
      const verbosity = o.verbosity as Map<string, number>;
      for (const name of verbosity.keys()) if (!truth.models.includes(name)) throw new InputError(`--verbosity: model ${JSON.stringify(name)} is not in the ratings`, { field: '--verbosity' });
      const withStyle = o.styleEffect !== undefined || verbosity.size > 0;
      const effect = (o.styleEffect as number[] | undefined) ?? [0, 0, 0, 0];
      const next: (i: number, out: StyleSimBattle) => SimBattle = withStyle
        ? styleBattleSampler(truth, simOpts, { effect, verbosity }, rng)
        : uniformBattleSampler(truth, simOpts, rng);
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
      const x: StyleSimBattle = { a: 0, b: 0, outcome: 0, tstamp: 0, style: new Float64Array(8) };
      try {
        let chunk = '';
        for (let i = 0; i < n; i++) {
          next(i, x);
          chunk += `{"model_a":${names[x.a]},"model_b":${names[x.b]},"winner":${labels[x.outcome]},"tstamp":${x.tstamp}${withStyle ? `,"conv_metadata":${styleMetadataJson(x.style)}` : ''}}\n`;
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
