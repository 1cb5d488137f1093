import { escapeHtml as e, fmt, visibleText } from '../../formats/format.js';
import type { ModelFit, RatingModel } from '../../models/types.js';
import { type VoterAudit, voterAudit } from '../../stats/voters.js';

/** Lines of the table listed per part (the rest in --format json). */
const SHOWN = 10;

const pValue = (p: number) => (p === 0 ? '0' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3));
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const signed = (z: number) => `${z >= 0 ? '+' : '−'}${fmt(Math.abs(z), 2)}`;

/**
 * The voter section of `arena audit` (`--voter-field`): runs {@link voterAudit} on the fit and returns its JSON
 * object, its table lines and its warnings. Names are escaped for the terminal ({@link visibleText}).
 */
export function voterSection(fit: ModelFit, model: RatingModel, o: { alpha: number; minVotes: number; top: number }): { json: VoterAudit; lines: string[]; warnings: string[] } {
  const a = voterAudit(fit, model, { alpha: o.alpha, minVotes: o.minVotes, top: o.top });
  const lines = [
    '',
    `Voters (${visibleText(a.field)}): ${fmt(a.voters, 0)} voters, ${fmt(a.tested, 0)} tested (≥ ${fmt(a.minVotes, 0)} battles), ${fmt(a.unattributed, 0)} battles without a voter; Benjamini–Hochberg at α = ${a.alpha}: ${fmt(a.flagged.length, 0)} flagged${a.flagged.length ? ` (${fmt(a.flaggedVotes, 0)} battles, ${pct(a.flaggedVotes / a.battles)} of all)` : ''}.`,
    `  Most active: ${a.top.map((x) => `${visibleText(x.voter)} ${pct(x.share)}`).join(', ')} (top ${a.top.length}: ${pct(a.topShare)} of all battles).`,
  ];
  const shown = a.tests.slice(0, SHOWN);
  if (shown.length) {
    lines.push(`  ${a.flagged.length ? 'Flagged and next' : 'Smallest p-values (none flagged)'}: voter, battles, agreement z (negative: agrees with the board less than the model predicts), most favoured (+) or disfavoured (−) model, p, q`);
    for (const t of shown) {
      const favour = t.favour ? `${visibleText(t.favour.model)} ${signed(t.favour.z)}` : '–';
      lines.push(`  ${t.flagged ? '*' : ' '} ${visibleText(t.voter)}  ${fmt(t.votes, 0)}  z ${signed(t.agreement.z)}  ${favour}  p ${pValue(t.p)}  q ${pValue(t.q)}`);
    }
    if (a.tests.length > SHOWN) lines.push(`    … and ${fmt(a.tests.length - SHOWN, 0)} more tested voters (all in --format json)`);
  }
  const warnings: string[] = [];
  if (a.refit) {
    const moved = a.refit.models.filter((r) => r.rank !== r.rankWithout);
    const first = a.refit.models.find((r) => r.rankWithout === 1);
    lines.push(`  Without the flagged voters (refit on ${fmt(a.refit.battles, 0)} battles): ${fmt(moved.length, 0)} model${moved.length === 1 ? '' : 's'} change rank; #1 ${first ? visibleText(first.model) : '–'}.`);
    for (const r of moved.slice(0, SHOWN)) {
      lines.push(`    ${visibleText(r.model)}: rank ${r.rank} → ${r.rankWithout ?? '–'}, rating ${fmt(r.rating, 1)} → ${r.ratingWithout === null ? '–' : fmt(r.ratingWithout, 1)} (${fmt(r.votesRemoved, 0)} battles removed)`);
    }
    if (moved.length > SHOWN) lines.push(`    … and ${moved.length - SHOWN} more (all in --format json)`);
    warnings.push(...a.refit.warnings.map((w) => `refit without the flagged voters: ${w}`));
  }
  if (a.tested === 0) warnings.push(`no voter has ${a.minVotes} battles or more: nobody was tested (--voter-min-votes)`);
  return { json: a, lines, warnings };
}

/** The voter section as HTML for `audit --format html` (`<section id="audit-voters">`, voter and model names escaped). */
export function voterSectionHtml(a: VoterAudit): string {
  const tests = a.tests
    .slice(0, SHOWN)
    .map((t) => `<tr${t.flagged ? ' class="flagged"' : ''}><td>${t.flagged ? '*' : ''}</td><td class="model">${e(t.voter)}</td><td class="num">${fmt(t.votes, 0)}</td><td class="num">${signed(t.agreement.z)}</td><td class="model">${t.favour ? `${e(t.favour.model)} ${signed(t.favour.z)}` : '–'}</td><td class="num">${pValue(t.p)}</td><td class="num">${pValue(t.q)}</td></tr>`)
    .join('\n');
  const moved = a.refit ? a.refit.models.filter((r) => r.rank !== r.rankWithout) : [];
  const refit = a.refit
    ? `<h3>Without the flagged voters</h3><p class="summary">Refit on ${fmt(a.refit.battles, 0)} battles: ${fmt(moved.length, 0)} model${moved.length === 1 ? '' : 's'} change rank.</p><div class="scroll"><table id="audit-voters-refit"><thead><tr><th>Model</th><th class="num">Rank</th><th class="num">Rank without</th><th class="num">Rating</th><th class="num">Rating without</th><th class="num">Battles removed</th></tr></thead><tbody>\n${moved
        .map((r) => `<tr><td class="model">${e(r.model)}</td><td class="num">${r.rank}</td><td class="num">${r.rankWithout ?? '–'}</td><td class="num">${fmt(r.rating, 1)}</td><td class="num">${r.ratingWithout === null ? '–' : fmt(r.ratingWithout, 1)}</td><td class="num">${fmt(r.votesRemoved, 0)}</td></tr>`)
        .join('\n')}\n</tbody></table></div>`
    : '';
  return `<section id="audit-voters"><h2>Voters (${e(a.field)})</h2><p class="summary">${fmt(a.voters, 0)} voters, ${fmt(a.tested, 0)} tested (≥ ${fmt(a.minVotes, 0)} battles), ${fmt(a.unattributed, 0)} battles without a voter; Benjamini–Hochberg at α = ${a.alpha}: ${fmt(a.flagged.length, 0)} flagged${a.flagged.length ? ` (${fmt(a.flaggedVotes, 0)} battles, ${pct(a.flaggedVotes / a.battles)} of all)` : ''}. Most active: ${a.top.map((x) => `${e(x.voter)} ${pct(x.share)}`).join(', ')}.</p><div class="scroll"><table id="audit-voters-tests"><thead><tr><th></th><th>Voter</th><th class="num">Battles</th><th class="num">Agreement z</th><th>Most (dis)favoured model</th><th class="num">p</th><th class="num">q</th></tr></thead><tbody>\n${tests}\n</tbody></table></div>${refit}</section>`;
}
