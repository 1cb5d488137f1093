import { fmt } from '../formats/format.js';
import type { BoardAudit } from '../stats/audit.js';
import type { Perturbation, PerturbAction, VoteChange } from '../stats/fragility.js';
import { escapeHtml as e, jsonForHtml, pageHead } from './html.js';

const PAST: Record<PerturbAction, string> = { drop: 'dropped', flip: 'flipped', add: 'added' };

const pct = (x: number | null) => (x === null ? '' : `${(100 * x).toFixed(4)}%`);

/** One vote group in words (HTML-escaped): "3 × a beat b → b wins". */
function changeText(c: VoteChange): string {
  const side = c.outcome === 'a' ? `${e(c.a)} beat ${e(c.b)}` : c.outcome === 'b' ? `${e(c.b)} beat ${e(c.a)}` : `${e(c.a)}–${e(c.b)} ${c.outcome === 'tie' ? 'tie' : 'tie (bothbad)'}`;
  const to = c.to === undefined ? '' : c.to === 'a' ? ` → ${e(c.a)} wins` : c.to === 'b' ? ` → ${e(c.b)} wins` : ' → tie';
  return `${fmt(c.count, 0)} × ${side}${to}`;
}

/** The five largest vote groups of a perturbation as a list (the rest counted). */
function changeList(p: Perturbation): string {
  if (!p.changes.length) return '';
  const more = p.changes.length > 5 ? `<li>… and ${p.changes.length - 5} more (all in the JSON block)</li>` : '';
  return `<ul>${p.changes.slice(0, 5).map((c) => `<li>${changeText(c)}</li>`).join('')}${more}</ul>`;
}

/** A table row of one search: action, models, gap, votes, share, first-order estimate, gap after, the votes. */
function perturbationRow(p: Perturbation): string {
  const votes = p.votes === null ? 'none found' : fmt(p.votes, 0);
  return `<tr><td>${p.action}</td><td class="model">${e(p.below)}</td><td class="model">${e(p.above)}</td><td class="num">${fmt(p.gap, 2)}</td><td class="num votes">${votes}</td><td class="num">${pct(p.fraction)}</td><td class="num">${p.firstOrder === null ? '–' : fmt(p.firstOrder, 0)}</td><td class="num">${p.gapAfter === null ? '' : fmt(p.gapAfter, 4)}</td><td>${changeList(p)}</td></tr>`;
}

const PERTURBATION_HEAD = '<thead><tr><th>Votes</th><th>Overtaking</th><th>Overtaken</th><th class="num">Gap now</th><th class="num">Votes changed</th><th class="num">Share of all</th><th class="num">First-order estimate</th><th class="num">Gap after</th><th>Which votes</th></tr></thead>';

/** A table of searches, in an element with id `id`. */
function perturbationTable(id: string, ps: readonly Perturbation[]): string {
  return `<div class="scroll"><table id="${id}">${PERTURBATION_HEAD}<tbody>\n${ps.map(perturbationRow).join('\n')}\n</tbody></table></div>`;
}

/**
 * The audit as an HTML `<section id="audit">` (every model name escaped): "#1 changes" (or the named pair) per
 * action, "an adjacent pair of the top k swaps" (every pair's search), and the rigging budget of the target. Tables
 * only, no script; a page embeds the full-precision JSON beside it ({@link auditPage}). O(searches + votes listed).
 */
export function auditSection(a: BoardAudit): string {
  const actions = [...new Set(a.perturbations.map((p) => p.action))];
  const summary = actions
    .map((action) => {
      const best = a.smallest[action] ?? null;
      return `<li>${best ? `${fmt(best.votes!, 0)} ${PAST[action]} votes (${pct(best.fraction)} of all) put ${e(best.below)} above ${e(best.above)}` : `no ${action} of the votes found that changes the order searched`}</li>`;
    })
    .join('');
  const top = `<h3>${a.challengers ? `#1 changes (challengers #2–#${a.challengers + 1})` : 'The pair named'}</h3><ul>${summary}</ul>${perturbationTable('audit-top', a.perturbations)}`;
  const adj = a.adjacent
    ? `<h3>An adjacent pair of the top ${a.adjacent.top} swaps</h3><ul>${actions
        .map((action) => {
          const best = a.adjacent!.smallest[action] ?? null;
          return `<li>${best ? `${fmt(best.votes!, 0)} ${PAST[action]} votes (${pct(best.fraction)} of all): ${e(best.below)} over ${e(best.above)}` : `no ${action} of the votes found that swaps a pair`}</li>`;
        })
        .join('')}</ul>${perturbationTable('audit-adjacent', a.adjacent.perturbations)}`
    : '';
  const r = a.rigging;
  const rig = r
    ? `<h3>Rigging budget of ${e(r.target)} (position ${r.position})</h3><div class="scroll"><table id="audit-rigging"><thead><tr><th>Mode</th><th class="num">Positions up</th><th class="num">Votes added</th><th class="num">Share of all</th><th class="num">First-order estimate</th><th class="num">Position after</th><th>Which votes</th></tr></thead><tbody>\n${r.budgets
        .map(
          (b) =>
            `<tr><td>${b.mode === 'target' ? 'target-only' : 'omnipresent'}</td><td class="num">${b.ranks}</td><td class="num votes">${b.votes === null ? 'none found' : fmt(b.votes, 0)}</td><td class="num">${pct(b.fraction)}</td><td class="num">${b.firstOrder === null ? '–' : fmt(b.firstOrder, 0)}</td><td class="num">${b.positionAfter ?? ''}</td><td>${changeList(b)}</td></tr>`,
        )
        .join('\n')}\n</tbody></table></div><p class="summary">Target-only: votes only in its own battles, each won by it; omnipresent: decided votes in any pair. The attacker here chooses the pairs; in the arena it must wait for them in the traffic (the what-if <code>rig</code> step).</p>`
    : '';
  return `<section id="audit"><h2>Fragility audit</h2><p class="summary">The fewest votes to drop, flip or add (new decided votes) that change the order, each found by a greedy search over first-order effects and confirmed by an exact refit; locally minimal (no vote can be given back), an upper bound on the true minimum. Share: of all ${fmt(a.battles, 0)} votes.</p>${top}${adj}${rig}</section>`;
}

/** Options of {@link auditPage}. */
export interface AuditPageOptions {
  readonly title: string;
  /** Further sections (HTML, escaped by their makers), after the fragility audit: e.g. simultaneous ranks, voters. */
  readonly sections?: readonly string[];
  /** Generator name and version for the footer. */
  readonly generator: string;
  /** The rating method, in words. */
  readonly method: string;
}

/**
 * `arena audit --format html`: one self-contained page (the report's stylesheet, no script, no external resource)
 * with {@link auditSection}, the warnings, and the audit's JSON (`json`, as `--format json` prints it) in a data
 * block `<script type="application/json" id="arena-audit">` (never executed; {@link jsonForHtml}).
 */
export function auditPage(a: BoardAudit, json: Readonly<Record<string, unknown>>, o: AuditPageOptions): string {
  const warnings = (json.warnings as readonly string[] | undefined) ?? [];
  return `${pageHead(o.title, o.generator)}
<body>
<main>
<header><h1>${e(o.title)}</h1><p class="summary">${fmt(a.battles, 0)} battles between ${fmt(a.models, 0)} models, rated with ${e(o.method)}.</p></header>
<section id="warnings"><h2>Warnings</h2>${warnings.length ? `<ul class="warnings">${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>` : '<p>None.</p>'}</section>
${auditSection(a)}
${(o.sections ?? []).join('\n')}
<footer>${e(o.generator)}</footer>
</main>
<script type="application/json" id="arena-audit">${jsonForHtml(json)}</script>
</body>
</html>
`;
}
