import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { readBattles, type ReadOptions } from '../src/data/load.js';
import type { BattleTable } from '../src/data/table.js';
import { InputError } from '../src/errors.js';
import { leaderboardOf } from '../src/leaderboard/leaderboard.js';
import { modelFor } from '../src/models/index.js';
import { DEFAULT_MODEL } from '../src/models/types.js';
import { sandwichIntervals, withoutIntervals } from '../src/stats/uncertainty.js';

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (fast) with captured stdout/stderr and optional stdin text. */
export async function cli(args: string[], stdin = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([Buffer.from(stdin)]) as never,
    stderrIsTTY: false,
    stdoutIsTTY: false,
    env: {},
  });
  return { code, stdout, stderr };
}

/** Runs the built bin (`node dist/cli/main.js`) as a child process, as a user would. */
export function bin(args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'arena-test-'));
}

/** Writes a file in a fresh temporary folder and returns its path. */
export function tempFile(name: string, content: string | Buffer): string {
  const p = join(tempDir(), name);
  writeFileSync(p, content);
  return p;
}

/** JSONL text of battle rows. */
export function jsonl(rows: object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** The repository's `fixtures/` folder: real data sets under `data/`, golden results under `golden/` (see fixtures/README.md). */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A small three-model board (7 rows with counts, a model named `__proto__`) shared by the plot and report tests. */
export const SMALL_BOARD = jsonl([
  { model_a: 'alpha', model_b: 'beta', winner: 'model_a', count: 6 },
  { model_a: 'alpha', model_b: 'beta', winner: 'model_b', count: 2 },
  { model_a: 'beta', model_b: '__proto__', winner: 'tie', count: 3 },
  { model_a: '__proto__', model_b: 'alpha', winner: 'model_b', count: 1 },
  { model_a: '__proto__', model_b: 'beta', winner: 'model_a', count: 4 },
  { model_a: 'beta', model_b: '__proto__', winner: 'model_a', count: 2 },
  { model_a: 'alpha', model_b: '__proto__', winner: 'model_b', count: 1 },
]);

/** Reads battles expecting an {@link InputError}, and returns its message. */
export async function readError(files: string[], opts: ReadOptions = {}): Promise<string> {
  try {
    await readBattles(files, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

/** Every number as text, telling −0 and NaN apart (toEqual would not). */
export const exactNumber = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/** A BattleTable as plain data for toEqual, timestamps compared as exact text. */
export function plainTable(t: BattleTable) {
  return {
    models: [...t.models],
    a: [...t.a],
    b: [...t.b],
    outcome: [...t.outcome],
    count: [...t.count],
    tstamp: t.tstamp ? [...t.tstamp].map(exactNumber) : null,
    rows: t.rows,
    battles: t.battles,
  };
}

/** The leaderboard of a fit without intervals (the former `rateTable`): model options over LMArena's defaults. */
export function rateTable(t: import('../src/data/table.js').BattleTable, options: Partial<import('../src/models/types.js').ModelOptions> = {}): import('../src/leaderboard/leaderboard.js').Leaderboard {
  const opts = { ...DEFAULT_MODEL, ...options };
  const model = modelFor(opts);
  return leaderboardOf(withoutIntervals(model.fit(t, opts), model), {});
}

/** A Bradley–Terry fit (narrowed): LMArena's defaults over the given options. */
export function fitBt(t: import('../src/data/table.js').BattleTable, options: Partial<import('../src/models/types.js').ModelOptions> = {}): import('../src/models/types.js').BtModelFit {
  const f = modelFor({ ...DEFAULT_MODEL, ...options }).fit(t, { ...DEFAULT_MODEL, ...options });
  if (f.kind !== 'bt') throw new TypeError(`expected a bt fit, got ${f.kind}`);
  return f;
}

/** Sandwich intervals of a fit as plots draw them (the uncertainty engine's `sandwichIntervals`). */
export function sandwichRatingIntervals(point: import('../src/models/types.js').ModelFit, level: number, _opts?: unknown): import('../src/leaderboard/leaderboard.js').RatingIntervals {
  const { intervals } = sandwichIntervals(point, modelFor(point.options), level);
  return { ...intervals, method: 'sandwich', level };
}

/** Logs how often each difference "found − true minimum" occurred (a search's distance from a brute force), as [[difference, count], …]. */
export function logGaps(label: string, gaps: readonly number[]): void {
  console.log(`${label} found − true minimum:`, JSON.stringify([...new Set(gaps)].sort((a, b) => a - b).map((g) => [g, gaps.filter((x) => x === g).length])));
}
