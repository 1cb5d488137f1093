import { fmt, formatCsvRows, textTable, visibleText } from './format.js';
import type { OrderSensitivity, StabilityModel, StabilityReplay, UnseparatedPair } from '../sim/stability.js';
import type { Spread } from '../sim/summary.js';
import type { Settle } from '../sim/settling.js';
import type { DebutSettle, WhatIfResult } from '../sim/whatif.js';

/** A signed number, `+1.2` or `−1.2`; a value that rounds to zero prints as `+0.0`, never `−0.0`. */
const signed = (x: number, digits = 1) => {
  const a = Math.abs(x).toFixed(digits);
  return (x >= 0 || Number(a) === 0 ? '+' : '−') + a;
};
const range = (s: Spread | null | undefined) => (s ? `${signed(s.mean)} [${signed(s.lower)}, ${signed(s.upper)}]` : '');
const pct = (p: number | null) => (p === null ? '' : `${(100 * p).toFixed(0)}%`);

/** The JSON object of `arena whatif --format json`: the result without the raw per-replication samples. */
export function whatIfJson(r: WhatIfResult): { params: unknown; models: unknown; steps: unknown; warnings: unknown } {
  return { params: r.params, models: r.models, steps: r.steps, warnings: r.warnings };
}

/** One line per step of a what-if result, for the table header. */
export function describeSteps(r: WhatIfResult): string[] {
  return r.steps.map((st) => {
    const head = `step ${st.step} ${st.type}${st.type === 'contaminate' ? '' : ` ${JSON.stringify(st.model)}`}`;
    switch (st.type) {
      case 'contaminate':
        return `${head}: ${fmt(st.replaced?.mean ?? 0, 0)} votes replaced by coin flips`;
      case 'rig':
        return `${head}: ${fmt(st.votesAdded, 0)} rigged votes cast`;
      case 'bestOfN':
        return `${head}: published rating − true rating ${range(st.inflation)}; the chosen variant scored ${range(st.selectedScore)} against the fixed board`;
      case 'biasedVoters':
        return `${head}: ${fmt(st.flipped?.mean ?? 0, 0)} votes flipped`;
      case 'newModel': {
        const line = `${head}: received ${fmt(st.modelVotes?.mean ?? 0, 0)} votes [${fmt(st.modelVotes?.lower ?? 0, 0)}, ${fmt(st.modelVotes?.upper ?? 0, 0)}] of ${fmt(st.votesAdded, 0)}`;
        if (!st.debut) return line;
        const d = st.debut;
        const when = (x: DebutSettle, what: string) =>
          `  ${what}: in ${pct(x.share)} of runs${x.hours ? `, from hour ${fmt(x.hours.mean, 1)} on average [${fmt(x.hours.lower, 0)}, ${fmt(x.hours.upper, 0)}] with ${fmt(x.votes!.mean, 0)} votes [${fmt(x.votes!.lower, 0)}, ${fmt(x.votes!.upper, 0)}]` : ''}`;
        return [
          line,
          when(d.rating, 'rating inside its final interval'),
          when(d.position, 'position unchanged'),
          when(d.settled, 'position settled (separated from both neighbours, anytime-valid)'),
        ].join('\n');
      }
      case 'addVotes':
        return `${head}: ${fmt(st.votesAdded, 0)} votes added`;
      default:
        return head;
    }
  });
}

/**
 * Text table of a what-if result: the models named by steps and the first `top` models by scenario rating, with
 * truth (when known), baseline rating and rank, mean scenario rating, interval and rank, the change (mean and
 * central quantiles over the replications) and P(rank change).
 */
export function formatWhatIfTable(r: WhatIfResult, top: number, title: string): string {
  const named = new Set(r.steps.map((s) => s.model));
  const removed = new Set(r.steps.filter((s) => s.type === 'removeModel').map((s) => s.model));
  const rows = r.models.filter((x, i) => i < top || named.has(x.model));
  const ci = typeof r.params.ci === 'number' ? `${Math.round(r.params.ci * 1000) / 10}%` : '95%';
  const header = ['Model', 'True', 'Baseline', 'Rank', 'Scenario', `${ci} CI`, 'Rank', `Δ mean [${ci} of runs]`, 'P(rank≠)', 'P(pos≠)'];
  const body = rows.map((x) => [
    (named.has(x.model) ? '* ' : '  ') + visibleText(x.model),
    x.truth === null ? '' : fmt(x.truth),
    x.baseline ? fmt(x.baseline.rating) : '(new)',
    x.baseline ? String(x.baseline.rank) : '',
    x.scenario ? fmt(x.scenario.rating) : removed.has(x.model) ? '(removed)' : '(no votes)',
    x.scenario && x.scenario.lower !== null ? `${fmt(x.scenario.lower)} – ${fmt(x.scenario.upper!)}` : '',
    x.scenario ? String(x.scenario.rank) : '',
    range(x.delta),
    pct(x.pRankChange),
    pct(x.pPositionChange),
  ]);
  const lines = [title, ...describeSteps(r), ''];
  for (const x of r.models) {
    if (!named.has(x.model) || !x.rankDistribution) continue;
    const dist = x.positionDistribution!.slice(0, 8).map((d) => `#${d.position} ${pct(d.p)}`).join(', ');
    lines.push(`${visibleText(x.model)}: position by rating over the runs: ${dist}${x.positionDistribution!.length > 8 ? ', …' : ''}`);
  }
  if (lines[lines.length - 1] !== '') lines.push('');
  return `${lines.join('\n')}\n${textTable(header, body, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}`;
}

/** CSV of the checkpoints: one row per checkpoint and model (long format). */
export function stabilityCsv(s: StabilityReplay): string {
  const rows: unknown[][] = [];
  const flag = (b: boolean | null) => (b === null ? '' : b ? 1 : 0);
  for (const c of s.checkpoints) {
    for (const x of c.models) rows.push([c.index, c.battles, c.tstamp ?? '', x.model, x.rating, x.lower ?? '', x.upper ?? '', x.rank, x.position, x.battles, flag(x.separatedAbove), flag(x.separatedBelow)]);
  }
  return formatCsvRows(['checkpoint', 'battles', 'tstamp', 'model', 'rating', 'lower', 'upper', 'rank', 'position', 'model_battles', 'separated_above', 'separated_below'], rows);
}

/** Hours as text: `5.2 h` below two days, else `3.4 d`. */
function duration(hours: number): string {
  return hours < 48 ? `${fmt(hours, 1)} h` : `${fmt(hours / 24, 1)} d`;
}

/**
 * A settling point as table text: the model's votes then (or the board's battles), the time since its first battle
 * and the UTC date-time; "not settled" otherwise.
 */
export function settleText(x: Settle, unit: 'votes' | 'battles'): string {
  if (!x.settled) return 'not settled';
  const time = x.hours !== null ? `, ${duration(x.hours)}` : '';
  return `${fmt(unit === 'votes' ? x.votes : x.battles, 0)} ${unit}${time}`;
}

/** Text report of a stability run: final board with settling points, unseparated pairs, Elo order spread. */
export function formatStabilityTable(
  s: StabilityReplay,
  pairs: readonly UnseparatedPair[],
  order: OrderSensitivity | null,
  opts: { top: number; title: string; level: number },
): string {
  const rows = s.models.slice(0, opts.top);
  const hasCi = rows.some((x) => x.lower !== null);
  const header = ['Rank', 'Model', 'Rating', ...(hasCi ? ['CI'] : []), 'Votes', 'Position unchanged since', ...(hasCi ? ['In final CI since', 'Position settled (anytime)'] : [])];
  const body = rows.map((x: StabilityModel) => [
    String(x.rank),
    visibleText(x.model),
    fmt(x.rating),
    ...(hasCi ? [x.lower !== null ? `${fmt(x.lower)} – ${fmt(x.upper!)}` : ''] : []),
    fmt(x.battles, 0),
    settleText(x.settling.position, 'votes'),
    ...(hasCi ? [settleText(x.settling.rating, 'votes'), x.settling.settled.settled ? settleText(x.settling.settled, 'votes') : `no: ${x.settling.settled.reason}`] : []),
  ]);
  const b = s.board;
  const boardLine = (label: string, x: Settle) => `  ${label}: ${x.settled ? `since ${settleText(x, 'battles')}` : `not settled (${x.reason})`}`;
  const out = [
    opts.title,
    '',
    `Board (top ${b.k}):`,
    boardLine('set unchanged', b.setUnchanged),
    boardLine('order unchanged', b.orderUnchanged),
    ...(hasCi ? [boardLine('set settled (anytime)', b.setSettled), boardLine('order settled (anytime)', b.orderSettled)] : []),
    '',
    textTable(header, body, ['r', 'l', 'r', ...(hasCi ? (['r'] as const) : []), 'r', 'r', ...(hasCi ? (['r', 'l'] as const) : [])]),
    hasCi
      ? `Votes and times are the model's at the first checkpoint from which the quantity held to the end (times from its first battle). "Settled" needs the position unchanged and the model's gaps to both neighbours outside an anytime-valid ${Math.round(opts.level * 100)}% confidence sequence at every checkpoint since (docs/methods.md#settling).\n`
      : `Votes and times are the model's at the first checkpoint from which its position held to the end (times from its first battle).\n`,
  ];
  if (hasCi) {
    if (pairs.length === 0) out.push('Every pair of neighbours is separated (the interval of their gap excludes 0).\n');
    else {
      out.push(`Not yet separated (${pairs.length} pairs; the interval of their gap holds 0; more battles at the current mix until it excludes 0, if the gap held):`);
      out.push(
        textTable(
          ['Higher', 'Lower', 'Gap', '× votes', 'More battles', 'More for higher', 'More for lower'],
          pairs.slice(0, opts.top).map((p) => [
            visibleText(p.a),
            visibleText(p.b),
            fmt(p.gap, 2),
            p.factor === null ? '∞' : fmt(p.factor, 2),
            p.moreBattles === null ? '∞' : fmt(p.moreBattles, 0),
            p.moreBattlesA === null ? '∞' : fmt(p.moreBattlesA, 0),
            p.moreBattlesB === null ? '∞' : fmt(p.moreBattlesB, 0),
          ]),
          ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
        ),
      );
    }
  }
  if (order) {
    out.push(`Online Elo over ${order.orderings} random orderings: mean sd ${order.meanSd.toFixed(2)}, largest ${order.maxSd.toFixed(2)} points.`);
    out.push(
      textTable(
        ['Model', 'In order', 'Mean', 'SD', '2.5% – 97.5%', 'Positions'],
        order.models.slice(0, opts.top).map((x) => [visibleText(x.model), fmt(x.inOrder), fmt(x.mean), x.sd.toFixed(2), `${fmt(x.lower)} – ${fmt(x.upper)}`, `${x.bestPosition}–${x.worstPosition}`]),
        ['l', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
  }
  return out.join('\n');
}
