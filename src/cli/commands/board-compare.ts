/**
 * `arena compare --board FILE --category C --a A --b B`: "is A really ahead of B?" asked of a published board
 * (ratings and interval bounds only), under independence and under a typical correlation of the two estimates.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { type PublishedBoard, readPublishedBoard } from '../../data/board.js';
import { UsageError } from '../../errors.js';
import { fmt, formatJson, visibleText } from '../../formats/format.js';
import { ciRanks } from '../../leaderboard/leaderboard.js';
import { comparePublished, type PublishedGap } from '../../stats/published-compare.js';
import { type CliIO, emit, printWarnings } from '../io.js';

/** The compare options allowed with `--board` (`--quiet` and `--threads` change nothing there; every other one refits battles). */
const BOARD_OPTIONS = new Set(['a', 'b', 'board', 'category', 'correlation', 'ci', 'format', 'out', 'quiet', 'threads']);

/** A board's row for a model: its published figures, position by rating and LMArena rank. */
export interface BoardRow {
  readonly model: string;
  readonly rating: number;
  readonly lower: number;
  readonly upper: number;
  readonly position: number;
  readonly rank: number;
}

/** The index of a model on a board, or a usage error (exit 2) naming the closest names. */
export function boardModelOrThrow(board: PublishedBoard, name: string, option: string): number {
  const v = board.models.indexOf(name);
  if (v >= 0) return v;
  const lower = name.toLowerCase();
  const near = board.models.filter((x) => x.toLowerCase().includes(lower) || lower.includes(x.toLowerCase())).slice(0, 3);
  throw new UsageError(
    `${option}: model ${visibleText(JSON.stringify(name))} is not on the ${visibleText(board.category)} board of ${board.file} (${board.models.length} models)${near.length ? `; did you mean ${near.map((x) => visibleText(JSON.stringify(x))).join(', ')}?` : ''}`,
  );
}

/** Rows of the given models: position by rating (the board is sorted) and rank 1 + #{lower_j > upper_i}. O(m log m). */
export function boardRows(board: PublishedBoard, ids: readonly number[]): BoardRow[] {
  const ranks = ciRanks(board.ratings, board.lower, board.upper);
  return ids.map((v) => ({ model: board.models[v]!, rating: board.ratings[v]!, lower: board.lower[v]!, upper: board.upper[v]!, position: v + 1, rank: ranks[v]! }));
}

const pct = (p: number) => (p > 0.999 ? '> 99.9%' : p < 0.001 ? '< 0.1%' : `${(100 * p).toFixed(1)}%`);
const levelText = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * The verdict in plain words (one paragraph a journalist can quote) and the assumption it rests on. The question is
 * "is A really ahead of B?": "Yes" when the gap's interval lies above 0 under every assumption, "No, the other way
 * round" when below, "Not clearly" when it holds 0 under every assumption, "It depends" when the assumptions disagree.
 */
export function boardVerdict(board: PublishedBoard, a: BoardRow, b: BoardRow, answers: readonly PublishedGap[], typical: boolean): { verdict: string; assumption: string } {
  const [indep, corr] = [answers[0]!, answers[answers.length - 1]!];
  const name = (r: BoardRow) => visibleText(r.model);
  const lvl = levelText(indep.level);
  const where = `LMArena's published ${visibleText(board.category)} board${board.date ? ` of ${board.date}` : ` (${basename(board.file)})`}`;
  const g = indep.gap.estimate;
  const [lead, trail] = g >= 0 ? [a, b] : [b, a];
  const sign = g >= 0 ? 1 : -1;
  const span = (x: PublishedGap) => (sign > 0 ? `${fmt(x.gap.lower)} to ${fmt(x.gap.upper)}` : `${fmt(-x.gap.upper)} to ${fmt(-x.gap.lower)}`);
  const pLead = (x: PublishedGap) => (sign > 0 ? x.pAbove : 1 - x.pAbove);
  const overlap = a.lower <= b.upper && b.lower <= a.upper;
  const rhoText = `ρ = ${corr.correlation}`;
  let verdict: string;
  if (g === 0) {
    verdict = `${name(a)} and ${name(b)} have the same rating on ${where}: no order between them.`;
  } else if (indep.separated && corr.separated) {
    verdict =
      `${g > 0 ? 'Yes' : 'No, the other way round'}: ${name(lead)} is ahead of ${name(trail)} on ${where}, by ${fmt(Math.abs(g))} points, and the uncertainty LMArena publishes does not explain the gap away: ` +
      `its ${lvl} interval runs from ${span(indep)} points if the two estimates are independent` +
      (answers.length > 1 ? ` (${span(corr)} with ${rhoText})` : '') +
      `, above zero either way.` +
      (overlap ? ' Their individual intervals overlap, but that alone does not make a tie: the interval of the gap is what decides.' : '');
  } else if (!indep.separated && !corr.separated) {
    verdict =
      `Not clearly: ${name(lead)} is ${fmt(Math.abs(g))} points above ${name(trail)} on ${where}, but that is within the uncertainty: ` +
      `the ${lvl} interval of the gap runs from ${span(indep)} points and includes zero` +
      (answers.length > 1 ? ` (${span(corr)} with ${rhoText})` : '') +
      `. The chance that ${name(lead)} is truly the higher of the two is about ${pct(pLead(indep))}` +
      (answers.length > 1 ? ` (${pct(pLead(corr))} with ${rhoText})` : '') +
      '; the published figures do not settle their order.';
  } else {
    const sep = indep.separated ? indep : corr;
    const not = indep.separated ? corr : indep;
    verdict =
      `It depends on a figure LMArena does not publish: ${name(lead)} is ${fmt(Math.abs(g))} points above ${name(trail)} on ${where}; ` +
      `with ρ = ${sep.correlation} the ${lvl} interval of the gap (${span(sep)}) excludes zero, with ρ = ${not.correlation} (${span(not)}) it does not. ` +
      `Call it a lead only with that caveat.`;
  }
  const assumption =
    `LMArena publishes each model's rating and ${levelText(board.level)} interval, not how the two estimates move together (their correlation ρ). ` +
    `The answer is given with ρ = 0 (independent estimates)` +
    (answers.length > 1
      ? typical
        ? ` and with ρ = ${corr.correlation}, the typical correlation of two neighbouring models' estimates in a simulated board like LMArena's (docs/methods.md, "Published boards")`
        : ` and with ρ = ${corr.correlation} (--correlation)`
      : '') +
    `. Each published bound is read as ±1.96 standard errors (each side on its own when the bounds are asymmetric); the votes behind the board are not published.`;
  return { verdict, assumption };
}

/** Runs `compare --board`. @throws UsageError for battle files or battle options with `--board`, unknown models */
export function runBoardCompare(io: CliIO, files: readonly string[], o: Record<string, unknown>, cmd: Command): void {
  if (files.length) throw new UsageError('give either battle files or --board FILE, not both');
  for (const opt of cmd.options) {
    const key = opt.attributeName();
    if (!BOARD_OPTIONS.has(key) && cmd.getOptionValueSource(key) === 'cli') throw new UsageError(`${opt.long} does not apply to --board (a published board has no battles to refit)`);
  }
  if (o.a === o.b) throw new UsageError('--a and --b name the same model');
  const board = readPublishedBoard(o.board as string, o.category as string);
  const ia = boardModelOrThrow(board, o.a as string, '--a');
  const ib = boardModelOrThrow(board, o.b as string, '--b');
  const [ra, rb] = boardRows(board, [ia, ib]) as [BoardRow, BoardRow];
  const level = o.ci as number;
  const rho = o.correlation as number;
  const typical = cmd.getOptionValueSource('correlation') !== 'cli';
  const rhos = rho === 0 ? [0] : [0, rho];
  const answers = rhos.map((r) => comparePublished(ra, rb, { correlation: r, level, boundsLevel: board.level }));
  const main = answers[answers.length - 1]!;
  const { verdict, assumption } = boardVerdict(board, ra, rb, answers, typical);
  const warnings: string[] = [];
  for (const r of [ra, rb]) {
    const down = r.rating - r.lower;
    const up = r.upper - r.rating;
    if (Math.max(down, up) > 1.1 * Math.min(down, up)) {
      warnings.push(`the published interval of ${r.model} is asymmetric (−${fmt(down)} / +${fmt(up)} points): each side is used for its own direction`);
    }
  }
  const anchors = board.models.filter((_, v) => board.upper[v]! - board.lower[v]! === 0);
  if (anchors.length === 1) {
    warnings.push(
      `this board is anchored on ${anchors[0]!} (its interval has zero width): every interval is that of a model's gap to it, so two models' estimates share its error and are positively correlated; the answer under independence is the cautious one`,
    );
  }
  const params = { board: o.board, category: board.category, date: board.date, a: o.a, b: o.b, ci: level, boundsLevel: board.level, correlation: rho };
  if (o.format === 'json') {
    const assumptions = answers.map((x, k) => ({ name: k === 0 ? 'independent' : typical ? 'typical' : 'given', ...x }));
    const comparison = { a: o.a, b: o.b, gap: main.gap, pAbove: main.pAbove, separated: main.separated, correlation: main.correlation, assumptions, verdict, assumption };
    emit(io, formatJson({ method: 'published-board', params, models: [ra, rb], comparison, warnings }), o.out as string | undefined);
  } else {
    const lvl = levelText(level);
    const row = (r: BoardRow) =>
      `${visibleText(r.model)}: ${fmt(r.rating)} (${levelText(board.level)} interval ${fmt(r.lower)} – ${fmt(r.upper)}), position ${r.position} of ${board.models.length} by rating, rank ${r.rank}`;
    const lines = [
      `published board: ${visibleText(basename(board.file))}, category ${visibleText(board.category)}${board.date ? `, ${board.date}` : ''} (${board.models.length} models)`,
      row(ra),
      row(rb),
      `gap A − B: ${fmt(main.gap.estimate)} points`,
      ...answers.map(
        (x, k) =>
          `  ${k === 0 ? 'independent estimates (ρ = 0)' : `${typical ? 'typical correlation' : 'given correlation'} (ρ = ${x.correlation})`}: ${lvl} interval ${fmt(x.gap.lower)} – ${fmt(x.gap.upper)}, P(A above B) ${pct(x.pAbove)}, ${x.separated ? 'separated' : 'not separated'}`,
      ),
      `verdict: ${verdict}`,
      `assumption: ${assumption}`,
    ];
    emit(io, lines.join('\n') + '\n', o.out as string | undefined);
  }
  printWarnings(io, warnings);
}
