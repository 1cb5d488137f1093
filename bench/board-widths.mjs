#!/usr/bin/env node
// Published boards as truths: per board, votes inferred from the published interval widths (inferBoardVotes), a
// board simulated from them (popularity policy, the inferred weights and total) and rebuilt as `arena rate` does
// (Bradley–Terry, ties half, 95% sandwich; anchored boards with their anchor), then the ratio of rebuilt to
// published interval widths per model: median and 10% / 90% quantiles over the models.
//   npm run build && node bench/board-widths.mjs [--seeds 1,2,3] [--boards text-2025-12-11.json:full,…]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPolicy, createRng, inferBoardVotes, quantileSorted, rateWithIntervals, readPublishedBoard, simRatingsOfBoard, simulateTable } from '../dist/advanced.js';

const ROOT = join(import.meta.dirname, '..');
const DEFAULT_BOARDS = 'text-2025-12-11.json:full,text-2025-12-11.json:coding,text-2025-12-11.json:korean,text-style-control-2025-12-11.json:full,text-2025-05-24.json:full,text-2025-03-07.json:full';
const { values: o } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' }, boards: { type: 'string', default: DEFAULT_BOARDS } } });
console.log('| board | category | models | inferred battles | votes per model (min / median / max) | seed | width ratio rebuilt/published: median (10% – 90%) | time |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const fmt = (x, d = 3) => x.toFixed(d);
for (const spec of o.boards.split(',')) {
  const [file, category] = spec.split(':');
  const board = readPublishedBoard(join(ROOT, 'fixtures', 'lmarena-catalog', file), category);
  const t0 = performance.now();
  const inf = inferBoardVotes(board);
  const tInfer = performance.now() - t0;
  const truth = simRatingsOfBoard(inf);
  const votes = Float64Array.from(inf.votes).sort();
  const pub = new Map(board.models.map((m, v) => [m, board.upper[v] - board.lower[v]]));
  for (const seed of o.seeds.split(',').map(Number)) {
    const t1 = performance.now();
    const t = simulateTable(truth, inf.battles, {}, createRng(seed), createPolicy({ type: 'popularity' }, { ratings: truth.ratings, weights: truth.weights }));
    const anchor = inf.anchor ? { anchor: { model: inf.anchor, rating: board.ratings[board.models.indexOf(inf.anchor)] } } : {};
    const rated = await rateWithIntervals(t, anchor, { ciMethod: 'sandwich', level: 0.95 });
    const r = Float64Array.from(
      rated.point.models.filter((m) => pub.get(m) > 0).map((m) => {
        const k = rated.point.models.indexOf(m);
        return (rated.intervals.upper[k] - rated.intervals.lower[k]) / pub.get(m);
      }),
    ).sort();
    const secs = ((tInfer + performance.now() - t1) / 1000).toFixed(1);
    console.log(
      `| ${file} | ${category} | ${board.models.length} | ${inf.battles.toLocaleString('en-US')} | ${Math.round(votes[0]).toLocaleString('en-US')} / ${Math.round(votes[votes.length >> 1]).toLocaleString('en-US')} / ${Math.round(votes[votes.length - 1]).toLocaleString('en-US')} | ${seed} | ${fmt(quantileSorted(r, 0.5))} (${fmt(quantileSorted(r, 0.1))} – ${fmt(quantileSorted(r, 0.9))}) | ${secs} s |`,
    );
  }
}
