import { STYLE_FEATURES } from '../../data/style-fields.js';
import type { Command } from 'commander';
import { aggregatePairs } from '../../data/aggregate.js';
import type { BattleTable } from '../../data/table.js';
import { InputError, UsageError } from '../../errors.js';
import { btCells } from '../../rating/bradley-terry.js';
import { compareTieModels } from '../../rating/compare-models.js';
import { analyseGraph } from '../../rating/graph.js';
import { dropBothBad, graphWarnings } from '../../models/common.js';
import { AUTO_PRIOR, type ModelOptions } from '../../models/types.js';
import { tieCells } from '../../rating/tie-models.js';
import { fmt, formatCsvRows, formatJson, type OutputFormat, textTable } from '../../formats/format.js';
import type { Leaderboard } from '../../leaderboard/leaderboard.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { modelParams } from '../option-groups.js';

/** `--compare-models` of `arena rate`. */
export function addCompareModelsOption(cmd: Command): Command {
  return cmd.option('--compare-models', 'print NLL / AIC / BIC of the outcome models half, ignore, davidson, rao-kupper on the same battles instead of a leaderboard', false);
}

/** `arena rate --compare-models`: the likelihood comparison of the outcome models, in the chosen format. */
export function compareModelsCommand(io: CliIO, input: BattleTable, opts: ModelOptions, o: Record<string, unknown>): void {
  if (opts.styleControl) throw new UsageError('--compare-models compares tie models on pair cells; it cannot be combined with --style-control');
  if (opts.reweight) throw new UsageError('--compare-models compares unweighted likelihoods (AIC, BIC); it cannot be combined with --reweight pairs');
  if (input.weight) throw new InputError('--compare-models compares unweighted likelihoods (AIC, BIC); the battles carry per-row weights', { field: 'weight' });
  const t = opts.bothBad === 'ignore' ? dropBothBad(input) : input;
  const pairs = aggregatePairs(t);
  const cells = tieCells(pairs, opts.bothBad ?? 'tie');
  const bt = btCells(pairs, 'half');
  const graph = analyseGraph(bt);
  const warnings: string[] = [];
  let prior = opts.prior === 'auto' ? (graph.groups > 1 ? AUTO_PRIOR : 0) : opts.prior;
  if (graph.groups > 1) {
    warnings.push(...graphWarnings(t.models, bt, graph));
    if (prior === 0) throw new UsageError('--prior 0: the maximum-likelihood ratings do not exist for these battles; use a positive --prior');
    warnings.push(`Every model is fitted with a ridge prior (λ = ${prior}); the log-likelihoods are those of the penalised estimates.`);
  }
  let decided = 0;
  for (let k = 0; k < cells.pairs; k++) decided += cells.w[k]! + cells.l[k]!;
  if (!(decided > 0)) throw new UsageError('--compare-models: the battles hold no decided (non-tie) battle');
  prior = Math.max(prior, 0);
  const rows = compareTieModels(cells, { prior, tolerance: opts.tolerance, scale: opts, solver: opts.solver });
  let battles = 0;
  for (let k = 0; k < cells.pairs; k++) battles += cells.w[k]! + cells.l[k]! + cells.t[k]!;
  const params = { ...modelParams(opts), prior, compareModels: true };
  const format = o.format as OutputFormat;
  let text: string;
  if (format === 'json') text = formatJson({ params, battles, comparison: rows, warnings });
  else if (format === 'csv') {
    text = formatCsvRows(
      ['model', 'parameters', 'logLikelihood', 'meanLogLikelihood', 'nll', 'aic', 'bic', 'deltaAic', 'tieParameter', 'tieValue'],
      rows.map((r) => [r.model, r.parameters, r.logLikelihood, r.meanLogLikelihood, r.nll, r.aic, r.bic, r.deltaAic, r.tieParameter.name, r.tieParameter.value]),
    );
  } else {
    const header = ['Model', 'k', 'NLL', 'NLL/battle', 'AIC', 'ΔAIC', 'BIC', 'Tie parameter'];
    const body = rows.map((r) => [r.model, String(r.parameters), fmt(r.nll, 1), (-r.meanLogLikelihood).toFixed(6), fmt(r.aic, 1), fmt(r.deltaAic, 1), fmt(r.bic, 1), `${r.tieParameter.name} = ${r.tieParameter.value.toFixed(4)}`]);
    if (format === 'markdown') {
      text = [`| ${header.join(' | ')} |`, `| ${header.map((_, c) => (c === 0 || c === 7 ? ':---' : '---:')).join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
    } else {
      text =
        textTable(header, body, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']) +
        `\n${fmt(battles, 0)} battles, 3 outcomes${opts.bothBad === 'separate' ? ' (+ both-bad split)' : ''}; half = LMArena ratings + constant tie rate, ignore = BT on decided battles + constant tie rate (its MLE).\n`;
    }
  }
  emit(io, text, o.out as string | undefined);
  printWarnings(io, warnings);
}

/** Human-readable lines after a table/markdown leaderboard: tie parameters and style coefficients with intervals. */
export function fitExtrasText(lb: Leaderboard, format: OutputFormat): string {
  if (format === 'json' || format === 'csv') return '';
  const lines: string[] = [];
  const pct = `${Math.round(((lb.params.ci as number | undefined) ?? 0.95) * 1000) / 10}%`;
  const how = lb.params.ciMethod === 'bootstrap' ? `bootstrap percentile intervals, ${String(lb.params.bootstrap)} rounds` : lb.params.ciMethod === 'sandwich' ? 'sandwich intervals' : 'no intervals';
  const tp = lb.fit.tieParameters;
  if (tp) {
    const parts = Object.entries(tp).map(([name, e]) => `${name} = ${e.value.toFixed(4)}${e.lower !== undefined ? ` (${e.lower.toFixed(4)} – ${e.upper!.toFixed(4)})` : ''}`);
    lines.push(`Tie parameters (${lb.params.ties}, ${how === 'no intervals' ? how : `${pct} ${how}`}): ${parts.join(', ')}; log-likelihood ${lb.fit.logLikelihood.toFixed(6)} per battle`);
  }
  if (lb.style) {
    const st = lb.style;
    const ridge = st.form === 'lmarena' && st.reg !== undefined ? `ridge reg ${st.reg} on the mean log-likelihood (λ = ${fmt(st.prior, 0)} summed)` : `ridge λ = ${st.prior}`;
    const what = st.coefficients.some((c) => !(STYLE_FEATURES as readonly string[]).includes(c.feature)) ? 'Style and covariate coefficients' : 'Style coefficients';
    lines.push(`${what} (log-odds per SD of the feature, ${how === 'no intervals' ? how : `${pct} ${how}`}, ${st.form ?? 'fastchat-2024'} form, ${ridge}${st.reweight ? `, pair weights floor ${st.reweight.floor}` : ''}):`);
    const header = ['Feature', 'Coefficient', 'Interval', 'Per unit', 'Points per SD'];
    const rows = lb.style.coefficients.map((c) => [c.feature, c.coefficient.toFixed(4), `${c.lower.toFixed(4)} – ${c.upper.toFixed(4)}`, c.perUnit.toFixed(4), fmt(c.points, 1)]);
    lines.push(textTable(header, rows, ['l', 'r', 'r', 'r', 'r']).trimEnd());
  }
  return lines.length ? `\n${lines.join('\n')}\n` : '';
}
