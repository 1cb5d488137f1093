/** Writers of a backtest (`arena backtest`): terminal table, Markdown, CSV and the JSON object. Strings only. */
import type { BacktestResult } from '../stats/backtest.js';
import type { PairedDifference } from '../stats/scoring.js';
import { csvCell, fmt, formatJson, mdCell, type OutputFormat, textTable, visibleText } from './format.js';

/** The JSON object of `arena backtest --format json`: params echoed, one row per system, paired rows, warnings. */
export function backtestJson(r: BacktestResult, params: Record<string, unknown>, models: readonly string[], trace: readonly number[], warnings: readonly string[]): Record<string, unknown> {
  const b = r.segmentBounds;
  return {
    params,
    battles: r.battles,
    ties: r.ties,
    reference: r.reference,
    block: r.block,
    systems: r.systems.map((s) => ({
      system: s.name,
      tieLaw: s.tieLaw,
      ...s.scores,
      ece: s.ece,
      calibration: s.calibration.map((c) => ({ ...c, predicted: nullIfNaN(c.predicted), observed: nullIfNaN(c.observed) })),
      segments: s.segments.map((g, k) => ({ from: b[k], to: b[k + 1], ...mapNaN(g) })),
      ...(trace.length ? { trace: Object.fromEntries(trace.map((v, k) => [models[v]!, Array.from(s.trace[k]!)])) } : {}),
    })),
    ...(trace.length ? { traceAt: r.traceAt } : {}),
    paired: r.paired,
    warnings,
  };
}

const nullIfNaN = (x: number) => (Number.isNaN(x) ? null : x);
const mapNaN = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? nullIfNaN(v) : v]));

const interval = (d: PairedDifference, digits: number, scale = 1) => `${signed(d.mean * scale, digits)} [${signed(d.lower * scale, digits)}, ${signed(d.upper * scale, digits)}]`;
const signed = (x: number, digits: number) => (Number.isNaN(x) ? '' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`);

/** Rows of the main table: system, log-loss, Brier, accuracy (ties as an outcome), decisive log-loss and accuracy, ECE. */
function mainRows(r: BacktestResult): string[][] {
  return r.systems.map((s) => [s.name, fmt(s.scores.logLoss, 4), fmt(s.scores.brier, 4), fmt(100 * s.scores.accuracy, 2), fmt(s.scores.decisiveLogLoss, 4), fmt(100 * s.scores.decisiveAccuracy, 2), fmt(100 * s.ece, 2)]);
}
const MAIN_HEADER = ['system', 'log-loss', 'Brier', 'acc %', 'log-loss (no ties)', 'acc % (no ties)', 'ECE %'];

/** Rows of the paired table: system − reference, mean [lower, upper] per metric. */
function pairedRows(r: BacktestResult): string[][] {
  return r.paired.map((p) => [p.system, interval(p.logLoss, 4), interval(p.brier, 4), interval(p.accuracy, 2, 100), interval(p.decisiveAccuracy, 2, 100)]);
}
const PAIRED_HEADER = ['system − reference', 'Δ log-loss', 'Δ Brier', 'Δ acc (pp)', 'Δ acc no ties (pp)'];

/** The backtest in one of the output formats. */
export function formatBacktest(r: BacktestResult, format: OutputFormat, json: () => Record<string, unknown>, level: number): string {
  if (format === 'json') return formatJson(json());
  const pct = `${Math.round(level * 1000) / 10}%`;
  if (format === 'csv') {
    const header = ['system', 'tie_law', 'log_loss', 'brier', 'accuracy', 'decisive_log_loss', 'decisive_brier', 'decisive_accuracy', 'ece', 'reference', 'd_log_loss', 'd_log_loss_lower', 'd_log_loss_upper', 'd_brier', 'd_brier_lower', 'd_brier_upper', 'd_accuracy', 'd_accuracy_lower', 'd_accuracy_upper'];
    const rows = r.systems.map((s) => {
      const p = r.paired.find((x) => x.system === s.name);
      const d = (x: PairedDifference | undefined) => (x ? [x.mean, x.lower, x.upper] : ['', '', '']);
      return [s.name, s.tieLaw, s.scores.logLoss, s.scores.brier, s.scores.accuracy, s.scores.decisiveLogLoss, s.scores.decisiveBrier, s.scores.decisiveAccuracy, s.ece, r.reference, ...d(p?.logLoss), ...d(p?.brier), ...d(p?.accuracy)];
    });
    return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
  }
  const head = `${fmt(r.battles, 0)} battles (${fmt(r.ties, 0)} ties), each predicted before it is seen`;
  if (format === 'markdown') {
    const md = (h: string[], rows: string[][]) => [`| ${h.join(' | ')} |`, `| :--- | ${h.slice(1).map(() => '---:').join(' | ')} |`, ...rows.map((x) => `| ${[mdCell(x[0]!), ...x.slice(1)].join(' | ')} |`)].join('\n');
    return `${head}\n\n${md(MAIN_HEADER, mainRows(r))}\n\nPaired differences against ${mdCell(r.reference)} (${pct} moving-block bootstrap, blocks of ${fmt(r.block, 0)} battles):\n\n${md(PAIRED_HEADER, pairedRows(r))}\n`;
  }
  const align = (n: number) => ['l' as const, ...Array.from({ length: n - 1 }, () => 'r' as const)];
  const main = textTable(MAIN_HEADER, mainRows(r).map((x) => [visibleText(x[0]!), ...x.slice(1)]), align(MAIN_HEADER.length));
  const paired = textTable(PAIRED_HEADER, pairedRows(r).map((x) => [visibleText(x[0]!), ...x.slice(1)]), align(PAIRED_HEADER.length));
  return `${head}\n\n${main}\nPaired differences against ${visibleText(r.reference)} (${pct} moving-block bootstrap, blocks of ${fmt(r.block, 0)} battles; negative Δ log-loss = better):\n${paired}`;
}
