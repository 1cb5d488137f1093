import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { InputFormat } from '../../data/parse.js';
import { DEFAULT_RATINGS_PATH } from '../../data/ratings.js';
import { InputError } from '../../errors.js';
import { formatJson } from '../../report/format.js';
import { loadSimRatings } from '../../sim/fixture.js';
import { whatIfJson, formatWhatIfTable } from '../../sim/report.js';
import { checkScenarioModels, heldBackRatings, parseScenario, type Scenario } from '../../sim/scenario.js';
import { battlesBaseline, runWhatIf, simulatedBaseline } from '../../sim/whatif.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { positiveInt, seedArg } from '../options.js';
import { addInputOptions, loadInput } from './rate.js';

/** Reads and validates a scenario file. @throws InputError `file: json.path: reason` */
export function readScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file, field: '(json)' });
  }
  return parseScenario(json, file);
}

/**
 * Finds a file named in a scenario: as given (absolute, or relative to the working folder), else relative to the
 * scenario file's folder. @throws InputError naming the scenario field
 */
export function resolveScenarioPath(path: string, scenarioFile: string, field: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const beside = resolve(dirname(scenarioFile), path);
  if (existsSync(beside)) return beside;
  throw new InputError(`file ${JSON.stringify(path)} not found (looked in the working folder and beside the scenario)`, { file: scenarioFile, field });
}

/** Registers `arena whatif`. */
export function registerWhatIf(program: Command, io: CliIO): void {
  const cmd = program
    .command('whatif')
    .description('replay a what-if scenario (extra votes, new or removed models, biased voters, best-of-N) on a baseline board R times')
    .argument('[battles...]', 'baseline battle files (default: a board simulated from the scenario baseline ratings)')
    .requiredOption('--scenario <file>', 'scenario JSON (see README: steps addVotes, newModel, removeModel, biasedVoters, bestOfN)')
    .option('--replications <n>', 'override the scenario replications', positiveInt)
    .option('--seed <n>', 'override the scenario seed', seedArg)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--top <n>', 'table: rows besides the models named by steps', positiveInt, 15)
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout');
  addInputOptions(cmd);
  cmd.action(async (files: string[], o: Record<string, unknown>) => {
    const file = o.scenario as string;
    let s = readScenario(file);
    if (o.replications !== undefined) s = { ...s, replications: o.replications as number };
    if (o.seed !== undefined) s = { ...s, seed: o.seed as string | number };
    const warnings: string[] = [];
    let baseline;
    let title: string;
    if (files.length) {
      if (s.baseline.ratings !== undefined || s.baseline.battles !== undefined || s.baseline.policy !== undefined || s.baseline.without !== undefined) {
        warnings.push('The scenario baseline (ratings, battles, policy, without) is ignored: the baseline is the battle files given.');
      }
      const t = await loadInput(io, files, o as { inputFormat?: InputFormat; sort?: string });
      checkScenarioModels(s, t.models, file);
      baseline = battlesBaseline(t, s, files);
      title = `arena whatif ${file}: baseline ${t.battles.toLocaleString('en-US')} battles from ${files.join(', ')} (the true ratings of simulated votes are their BT fit)`;
    } else {
      const ratingsFile = s.baseline.ratings !== undefined ? resolveScenarioPath(s.baseline.ratings, file, 'baseline.ratings') : DEFAULT_RATINGS_PATH;
      const truth = loadSimRatings(ratingsFile);
      const heldBack = heldBackRatings(s, truth.models, truth.ratings, file);
      checkScenarioModels(
        s,
        truth.models.filter((m) => !heldBack.has(m)),
        file,
        heldBack,
      );
      baseline = simulatedBaseline(truth, s, s.baseline.ratings ?? 'embedded:lmarena-text-2026-04', file);
      title = `arena whatif ${file}: baseline ${baseline.battles.toLocaleString('en-US')} battles simulated from ${s.baseline.ratings ?? 'the April 2026 fixture'}`;
    }
    title += `; ${s.replications} replications, seed ${String(s.seed)}, ${s.intervals} intervals (${s.ci * 100}%). Ratings of each run are aligned on the mean of the models no step names.`;
    const result = runWhatIf(s, baseline, {
      onReplication: io.stderrIsTTY ? (r, of) => io.stderr(`\rreplication ${r}/${of}${r === of ? '\n' : ''}`) : undefined,
    });
    const all = { ...result, warnings: [...warnings, ...result.warnings] };
    emit(io, o.format === 'json' ? formatJson(whatIfJson(all)) : formatWhatIfTable(all, o.top as number, title), o.out as string | undefined);
    printWarnings(io, all.warnings);
  });
}
