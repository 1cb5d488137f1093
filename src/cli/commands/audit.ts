import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { fmt, formatJson, visibleText } from '../../formats/format.js';
import { minimalPerturbation, type Perturbation, type PerturbAction } from '../../stats/fragility.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, addVoterOptions, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, loadInput, modelIdOrThrow, modelParams, voterOptionsFrom } from '../option-groups.js';
import { voterSection } from './audit-voters.js';
import { positiveInt } from '../options.js';
import { progressBar } from '../progress.js';
import { auditRanks, auditRanksLines } from './audit-ranks.js';

const PAST: Record<PerturbAction, string> = { drop: 'dropped', flip: 'flipped', add: 'added' };

const pct = (x: number | null) => (x === null ? '' : `${(100 * x).toFixed(4)}%`);

/** One line of the fragility table: the votes that put `below` above `above`, by one action. */
function line(p: Perturbation): string[] {
  const what = PAST[p.action];
  const votes =
    p.votes === null
      ? `no ${p.action} of the votes found within the search`
      : p.votes === 0
        ? 'already ahead: nothing to change'
        : `${fmt(p.votes, 0)} ${what} (${pct(p.fraction)} of all votes; first-order estimate ${p.firstOrder === null ? '–' : fmt(p.firstOrder, 0)}), gap after ${fmt(p.gapAfter!, 4)}`;
  const out = [`  ${visibleText(p.below)} over ${visibleText(p.above)} (gap ${fmt(p.gap, 2)}): ${votes}`];
  for (const c of p.changes.slice(0, 5)) {
    const side = c.outcome === 'a' ? `${visibleText(c.a)} beat ${visibleText(c.b)}` : c.outcome === 'b' ? `${visibleText(c.b)} beat ${visibleText(c.a)}` : `${visibleText(c.a)}–${visibleText(c.b)} ${c.outcome === 'tie' ? 'tie' : 'tie (bothbad)'}`;
    const to = c.to === undefined ? '' : c.to === 'a' ? ` → ${visibleText(c.a)} wins` : c.to === 'b' ? ` → ${visibleText(c.b)} wins` : ' → tie';
    out.push(`      ${fmt(c.count, 0)} × ${side}${to}`);
  }
  if (p.changes.length > 5) out.push(`      … and ${p.changes.length - 5} more group${p.changes.length > 6 ? 's' : ''} (all in --format json)`);
  return out;
}

/** Registers `arena audit`. */
export function registerAudit(program: Command, io: CliIO): void {
  const cmd = program
    .command('audit')
    .description('how fragile is the top of this board? the fewest votes to drop, flip or add for #1 to change (or for --b to overtake --a), each confirmed by an exact refit')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd);
  addVoterOptions(cmd);
  cmd
    .option('--challengers <k>', 'models #2 … #k+1 tried for "#1 changes" (the answer is the smallest over them)', positiveInt, 3)
    .option('--a <model>', 'with --b: the model ahead (exact name) instead of #1')
    .option('--b <model>', 'with --a: the model that must overtake it')
    .addOption(new Option('--action <action>', 'how votes change: drop existing ones, flip their outcome, add new ones, or each in turn').choices(['drop', 'flip', 'add', 'all']).default('all'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--out <file>', 'write the output to this file (atomically) instead of stdout')
    .action(async (files: string[], o: Record<string, unknown>) => {
      if ((o.a === undefined) !== (o.b === undefined)) throw new UsageError('--a and --b go together (the model ahead and the one that must overtake it)');
      if (o.a !== undefined && o.a === o.b) throw new UsageError('--a and --b name the same model');
      const { model, modelOptions: rate, intervals, progress } = battleOptionsFrom(io, o);
      progress.stop();
      if (!model.likelihood) throw new UsageError('audit refits a likelihood model: online Elo has none (use --method bt)');
      if (rate.styleControl || (rate.covariates?.length ?? 0) > 0) throw new UsageError('audit changes pair cells: style control and covariates fit battle rows (not supported yet)');
      const t = await loadInput(io, files, o);
      checkAnchor(t, rate);
      const fit = model.fit(t, rate);
      const order = fit.models.map((_, v) => v).sort((x, y) => fit.ratings[y]! - fit.ratings[x]! || (fit.models[x]! < fit.models[y]! ? -1 : 1));
      const pairs: [string, string][] = [];
      if (o.a !== undefined) {
        const a = modelIdOrThrow(fit.models, o.a as string, '--a');
        const b = modelIdOrThrow(fit.models, o.b as string, '--b');
        pairs.push([fit.models[a]!, fit.models[b]!]);
      } else {
        const k = Math.min(o.challengers as number, order.length - 1);
        for (let q = 1; q <= k; q++) pairs.push([fit.models[order[0]!]!, fit.models[order[q]!]!]);
      }
      const vo = voterOptionsFrom(o);
      const voters = vo.field === undefined ? null : voterSection(fit, model, vo);
      const actions: PerturbAction[] = o.action === 'all' ? ['drop', 'flip', 'add'] : [o.action as PerturbAction];
      const bar = progressBar(io, 'searches (each a few exact refits)', Boolean(o.quiet));
      const results: Perturbation[] = [];
      try {
        for (const action of actions) {
          for (const [above, below] of pairs) {
            results.push(minimalPerturbation(fit, above, below, action));
            bar.update(results.length, actions.length * pairs.length);
          }
        }
      } finally {
        bar.stop();
      }
      const ranks = await auditRanks(fit, model, intervals, pairs.length + 1, pairs.flat());
      const smallest = (action: PerturbAction) =>
        results.filter((p) => p.action === action && p.votes !== null).reduce<Perturbation | null>((best, p) => (best === null || p.votes! < best.votes! ? p : best), null);
      if (o.format === 'json') {
        const summary = Object.fromEntries(actions.map((a) => [a, smallest(a)?.votes ?? null]));
        emit(io, formatJson({ params: { ...modelParams(rate), action: o.action, challengers: o.a === undefined ? pairs.length : null }, battles: fit.battles, smallest: summary, perturbations: results, simultaneousRanks: ranks, voters: voters?.json ?? null, warnings: [...fit.warnings, ...(voters?.warnings ?? []), ...(o.a === undefined && pairs.length < order.length - 1 ? [`the smallest counts are over the challengers #2–#${pairs.length + 1} only (--challengers ${pairs.length})`] : [])] }), o.out as string | undefined);
      } else {
        const lines = [`arena audit: ${fmt(fit.battles, 0)} battles, ${fmt(fit.models.length, 0)} models, method ${rate.method}${rate.ties === 'half' ? '' : ` (ties ${rate.ties})`}; every count below confirmed by an exact refit.`];
        for (const action of actions) {
          const best = smallest(action);
          const n = pairs.length;
          const among = n === 1 ? '#2' : `one of #2–#${n + 1}`;
          const head =
            o.a === undefined
              ? best
                ? `#1 ${visibleText(fit.models[order[0]!]!)} loses first place to ${among} with ${fmt(best.votes!, 0)} ${PAST[action]} vote${best.votes === 1 ? '' : 's'} (${pct(best.fraction)} of all; ${visibleText(best.below)} overtakes):`
                : `No ${action} of the votes found that puts ${among} above #1 ${visibleText(fit.models[order[0]!]!)}:`
              : `${PAST[action][0]!.toUpperCase()}${PAST[action].slice(1)} votes for ${visibleText(o.b as string)} to overtake ${visibleText(o.a as string)}:`;
          lines.push('', head, ...results.filter((p) => p.action === action).flatMap(line));
        }
        lines.push(...auditRanksLines(ranks));
        if (voters) lines.push(...voters.lines);
        emit(io, lines.join('\n') + '\n', o.out as string | undefined);
      }
      const notes = o.a === undefined && pairs.length < order.length - 1 ? [`audit tried ${pairs.length === 1 ? 'the challenger #2' : `the challengers #2–#${pairs.length + 1}`} only (--challengers ${pairs.length}): a lower model with few battles can be cheaper to lift (e.g. by removing its few losses), so the counts are the fewest for these challengers, not for every model; --challengers ${order.length - 1} tries them all.`] : [];
      printWarnings(io, [...fit.warnings, ...(voters?.warnings ?? []), ...notes]);
    });
}
