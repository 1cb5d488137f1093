#!/usr/bin/env node
// Issue 16's speed target: a backtest of five systems (elo, glicko2, weng-lin, bt, davidson: the default --systems) on
// 1M battles within 10× one `arena rate --method elo` of the same file. The file: 1,000,000 battles simulated from the
// embedded April 2026 board (339 models, `arena simulate --battles 1000000 --seed 1`, cached in bench/.cache), the
// default bootstrap (1,000 rounds of the paired differences). Each command runs --repeats times in a fresh process
// (alternating); medians of wall and CPU time (user + system) side by side, as ratios. CPU time is the steadier figure
// on a shared machine.
//   npm run build && node bench/backtest.mjs [--repeats 3] [--battles 1000000]
import { join } from 'node:path';
import { fmt, markdownTable, median, parseArgs, ROOT, runChild, simulatedFile } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { repeats: 3, battles: 1_000_000 });
const file = simulatedFile(o.battles);
const cli = join(ROOT, 'dist', 'cli', 'main.js');
const jobs = {
  'rate --method elo': ['rate', file, '--method', 'elo', '--quiet', '--format', 'json'],
  'backtest (5 systems)': ['backtest', file, '--quiet', '--format', 'json', '--seed', '1'],
  'backtest, no bootstrap': ['backtest', file, '--quiet', '--format', 'json', '--bootstrap', '0'],
};
const samples = Object.fromEntries(Object.keys(jobs).map((k) => [k, { wall: [], cpu: [], rss: [] }]));
for (let r = 0; r < o.repeats; r++) {
  for (const [name, args] of Object.entries(jobs)) {
    const x = runChild(cli, args);
    samples[name].wall.push(x.wallMs);
    samples[name].cpu.push(x.cpuMs);
    samples[name].rss.push(x.peakRss);
  }
}
const base = samples['rate --method elo'];
console.log(`backtest.mjs: ${fmt.n(o.battles)} simulated battles (embedded board, seed 1), ${o.repeats} runs each, Node ${process.version}`);
console.log(
  markdownTable(
    ['command', 'wall (median)', 'CPU (median)', 'peak RSS', 'wall ÷ rate elo', 'CPU ÷ rate elo'],
    Object.entries(samples).map(([name, s]) => [name, fmt.ms(median(s.wall)), fmt.ms(median(s.cpu)), fmt.mib(median(s.rss)), fmt.x(median(s.wall) / median(base.wall)), fmt.x(median(s.cpu) / median(base.cpu))]),
  ),
);
