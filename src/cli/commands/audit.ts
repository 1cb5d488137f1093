import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { fmt, formatJson, visibleText } from '../../formats/format.js';
import { auditBoard, type BoardAudit } from '../../stats/audit.js';
import type { Perturbation, PerturbAction, RiggingBudget } from '../../stats/fragility.js';
import { VERSION } from '../../version.js';
import { type CliIO, emit, printWarnings } from '../io.js';
import { addBattleOptions, addVoterOptions, BATTLES_ARGUMENT, battleOptionsFrom, checkAnchor, loadInput, modelIdOrThrow, modelParams, voterOptionsFrom } from '../option-groups.js';
import { positiveInt } from '../options.js';
import { progressBar } from '../progress.js';
import { auditRanks, auditRanksHtml, auditRanksLines } from './audit-ranks.js';
import { voterSection, voterSectionHtml } from './audit-voters.js';

const PAST: Record<PerturbAction, string> = { drop: 'dropped', flip: 'flipped', add: 'added' };

const pct = (x: number | null) => (x === null ? '' : `${(100 * x).toFixed(4)}%`);

/** The votes of a perturbation, one line per group (the five largest). */
function changeLines(p: Perturbation): string[] {
  const out: string[] = [];
  for (const c of p.changes.slice(0, 5)) {
    const side = c.outcome === 'a' ? `${visibleText(c.a)} beat ${visibleText(c.b)}` : c.outcome === 'b' ? `${visibleText(c.b)} beat ${visibleText(c.a)}` : `${visibleText(c.a)}–${visibleText(c.b)} ${c.outcome === 'tie' ? 'tie' : 'tie (bothbad)'}`;
    const to = c.to === undefined ? '' : c.to === 'a' ? ` → ${visibleText(c.a)} wins` : c.to === 'b' ? ` → ${visibleText(c.b)} wins` : ' → tie';
    out.push(`      ${fmt(c.count, 0)} × ${side}${to}`);
  }
  if (p.changes.length > 5) out.push(`      … and ${p.changes.length - 5} more group${p.changes.length > 6 ? 's' : ''} (all in --format json)`);
  return out;
}

/** One entry of the fragility table: the votes that put `below` above `above`, by one action. */
function line(p: Perturbation): string[] {
  const what = PAST[p.action];
  const votes =
    p.votes === null
      ? `no ${p.action} of the votes found within the search`
      : p.votes === 0
        ? 'already ahead: nothing to change'
        : `${fmt(p.votes, 0)} ${what} (${pct(p.fraction)} of all votes; first-order estimate ${p.firstOrder === null ? '–' : fmt(p.firstOrder, 0)}), gap after ${fmt(p.gapAfter!, 4)}`;
  return [`  ${visibleText(p.below)} over ${visibleText(p.above)} (gap ${fmt(p.gap, 2)}): ${votes}`, ...changeLines(p)];
}

/** Table section: "#1 changes" (or the named pair), per action. */
function topLines(a: BoardAudit, actions: readonly PerturbAction[], pair: boolean): string[] {
  const lines: string[] = [];
  const n = a.challengers;
  const among = n === 1 ? '#2' : `one of #2–#${n + 1}`;
  for (const action of actions) {
    const best = a.smallest[action] ?? null;
    const mine = a.perturbations.filter((p) => p.action === action);
    const head = !pair
      ? best
        ? `#1 ${visibleText(a.order[0]!)} loses first place to ${among} with ${fmt(best.votes!, 0)} ${PAST[action]} vote${best.votes === 1 ? '' : 's'} (${pct(best.fraction)} of all; ${visibleText(best.below)} overtakes):`
        : `No ${action} of the votes found that puts ${among} above #1 ${visibleText(a.order[0]!)}:`
      : `${PAST[action][0]!.toUpperCase()}${PAST[action].slice(1)} votes for ${visibleText(mine[0]!.below)} to overtake ${visibleText(mine[0]!.above)}:`;
    lines.push('', head, ...mine.flatMap(line));
  }
  return lines;
}

/** Table section: "an adjacent pair of the top k swaps", per action (the smallest pair with its votes, then every pair's count). */
function adjacentLines(a: BoardAudit, actions: readonly PerturbAction[]): string[] {
  const adj = a.adjacent;
  if (!adj) return [];
  const lines: string[] = [];
  for (const action of actions) {
    const best = adj.smallest[action] ?? null;
    lines.push(
      '',
      best
        ? `An adjacent pair of the top ${adj.top} swaps with ${fmt(best.votes!, 0)} ${PAST[action]} vote${best.votes === 1 ? '' : 's'} (${pct(best.fraction)} of all): ${visibleText(best.below)} over ${visibleText(best.above)}, gap ${fmt(best.gap, 2)}:`
        : `No ${action} of the votes found that swaps an adjacent pair of the top ${adj.top}:`,
    );
    if (best) lines.push(...changeLines(best));
    const counts = adj.perturbations.filter((p) => p.action === action).map((p, q) => `#${q + 1}–#${q + 2} ${p.votes === null ? '–' : fmt(p.votes, 0)}`);
    lines.push(`    every pair: ${counts.join(', ')}`);
  }
  return lines;
}

const MODE: Record<string, string> = { target: 'target-only (its own battles, each won by it)', omnipresent: 'omnipresent (any battle)' };

/** Table section: the rigging budget of the target, per mode and number of positions. */
function riggingLines(a: BoardAudit): string[] {
  const r = a.rigging;
  if (!r) return [];
  const lines = ['', `Rigging ${visibleText(r.target)} (position ${r.position}): the fewest added votes that lift it, each confirmed by an exact refit:`];
  for (const b of r.budgets) {
    const what =
      b.position - b.ranks < 1
        ? `cannot rise ${b.ranks} position${b.ranks === 1 ? '' : 's'} from position ${b.position}`
        : b.votes === null
          ? 'no set of added votes found within the search'
          : `${fmt(b.votes, 0)} votes (${pct(b.fraction)} of all; first-order estimate ${b.firstOrder === null ? '–' : fmt(b.firstOrder, 0)}) → position ${b.positionAfter}`;
    lines.push(`  up ${b.ranks}, ${MODE[b.mode]}: ${what}`);
    if (b.votes) lines.push(...changeLines(b as RiggingBudget));
  }
  return lines;
}

/** The JSON of `arena audit --format json` (also embedded in the HTML page). */
export function auditJson(a: BoardAudit, params: Record<string, unknown>, warnings: readonly string[], sections: { readonly simultaneousRanks?: unknown; readonly voters?: unknown } = {}): Record<string, unknown> {
  const counts = (s: BoardAudit['smallest']) => Object.fromEntries(Object.entries(s).map(([k, p]) => [k, p?.votes ?? null]));
  return {
    params,
    battles: a.battles,
    smallest: counts(a.smallest),
    perturbations: a.perturbations,
    adjacent: a.adjacent ? { top: a.adjacent.top, smallest: counts(a.adjacent.smallest), perturbations: a.adjacent.perturbations } : null,
    rigging: a.rigging,
    simultaneousRanks: sections.simultaneousRanks ?? null,
    voters: sections.voters ?? null,
    warnings,
  };
}

/** Registers `arena audit`. */
export function registerAudit(program: Command, io: CliIO): void {
  const cmd = program
    .command('audit')
    .description('how fragile is the top of this board? the fewest votes to drop, flip or add for #1 to change (or for --b to overtake --a, or for an adjacent pair of the --top k to swap), and the fewest rigged votes lifting --target by 1 and 5 positions; each confirmed by an exact refit')
    .argument('<battles...>', BATTLES_ARGUMENT);
  addBattleOptions(cmd);
  addVoterOptions(cmd);
  cmd
    .option('--challengers <k>', 'models #2 … #k+1 tried for "#1 changes" (the answer is the smallest over them)', positiveInt, 3)
    .option('--a <model>', 'with --b: the model ahead (exact name) instead of #1')
    .option('--b <model>', 'with --a: the model that must overtake it')
    .option('--top <k>', '"an adjacent pair of the top k swaps": the smallest over the pairs #1–#2 … #(k−1)–#k (1: skip)', positiveInt, 5)
    .option('--target <model>', 'the rigging budget of this model (exact name): the fewest added votes lifting it by 1 and by 5 positions, target-only and omnipresent')
    .addOption(new Option('--action <action>', 'how votes change: drop existing ones, flip their outcome, add new ones, or each in turn').choices(['drop', 'flip', 'add', 'all']).default('all'))
    .addOption(new Option('--format <format>', 'output format (html: a self-contained page)').choices(['table', 'json', 'html']).default('table'))
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
      const pair = o.a !== undefined ? { above: fit.models[modelIdOrThrow(fit.models, o.a as string, '--a')]!, below: fit.models[modelIdOrThrow(fit.models, o.b as string, '--b')]! } : null;
      const target = o.target !== undefined ? fit.models[modelIdOrThrow(fit.models, o.target as string, '--target')]! : null;
      const actions: PerturbAction[] = o.action === 'all' ? ['drop', 'flip', 'add'] : [o.action as PerturbAction];
      const bar = progressBar(io, 'searches (each a few exact refits)', Boolean(o.quiet));
      let a: BoardAudit;
      try {
        a = auditBoard(fit, { actions, challengers: o.challengers as number, pair, top: o.top as number, target, onProgress: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
      }
      const vo = voterOptionsFrom(o);
      const voters = vo.field === undefined ? null : voterSection(fit, model, vo);
      const ranks = await auditRanks(fit, model, intervals, pair ? 2 : a.challengers + 1, [...(pair ? [pair.above, pair.below] : []), ...(target ? [target] : [])]);
      const partial = !pair && a.challengers < a.models - 1;
      const warnings = [...fit.warnings, ...(voters?.warnings ?? []), ...(partial ? [`the smallest counts are over the challengers #2–#${a.challengers + 1} only (--challengers ${a.challengers})`] : [])];
      const params = { ...modelParams(rate), action: o.action, challengers: pair ? null : a.challengers, top: a.adjacent?.top ?? null, target };
      const json = auditJson(a, params, warnings, { simultaneousRanks: ranks, voters: voters?.json ?? null });
      if (o.format === 'json') emit(io, formatJson(json), o.out as string | undefined);
      else if (o.format === 'html') {
        const { auditPage } = await import('../../report/audit.js');
        emit(io, auditPage(a, json, { title: `arena audit: ${files.join(', ')}`, generator: `arena ${VERSION}`, method: rate.method === 'bt' && rate.ties !== 'half' ? `bt, ties ${rate.ties}` : rate.method, sections: [auditRanksHtml(ranks), ...(voters ? [voterSectionHtml(voters.json)] : [])] }), o.out as string | undefined);
      } else {
        const head = `arena audit: ${fmt(fit.battles, 0)} battles, ${fmt(fit.models.length, 0)} models, method ${rate.method}${rate.ties === 'half' ? '' : ` (ties ${rate.ties})`}; every count below confirmed by an exact refit.`;
        emit(io, [head, ...topLines(a, actions, pair !== null), ...adjacentLines(a, actions), ...riggingLines(a), ...auditRanksLines(ranks), ...(voters ? voters.lines : [])].join('\n') + '\n', o.out as string | undefined);
      }
      const notes = partial ? [`audit tried ${a.challengers === 1 ? 'the challenger #2' : `the challengers #2–#${a.challengers + 1}`} only (--challengers ${a.challengers}): a lower model with few battles can be cheaper to lift (e.g. by removing its few losses), so the counts are the fewest for these challengers, not for every model; --challengers ${a.models - 1} tries them all.`] : [];
      printWarnings(io, [...fit.warnings, ...(voters?.warnings ?? []), ...notes]);
    });
}
