/**
 * Every command that can run for more than a few seconds shows a progress bar with the time left (ETA) on an
 * interactive terminal, and none with --quiet. The built bin runs under a pseudo-terminal (util-linux `script`,
 * part of every Debian system), as a user would run it; stdout goes to /dev/null, so what the terminal shows is
 * the stderr stream.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from '../helpers.js';

const J = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');
const A = 'gpt-4o-2024-05-13';
const B = 'claude-3-5-sonnet-20240620';

/** A small what-if scenario (200,000-battle simulated baseline, 3 replications). */
function scenario(): string {
  const file = join(tempDir(), 'scenario.json');
  writeFileSync(file, JSON.stringify({ replications: 3, seed: 2, baseline: { battles: 200000 }, steps: [{ type: 'addVotes', model: 'muse-spark', opponent: 'gpt-5.4-high', votes: 500 }] }));
  return file;
}

/** What a terminal shows while `arena args…` runs (stdout discarded), from a pseudo-terminal. */
function onTerminal(args: readonly string[]): { code: number; screen: string } {
  const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, 'dist/cli/main.js', ...args].map(quote).join(' ') + ' > /dev/null';
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '120', TERM: 'xterm' } });
  if (r.error) throw new Error(`cannot run util-linux script (needed for a pseudo-terminal): ${r.error.message}`);
  return { code: r.status ?? -1, screen: r.stdout };
}

const s = scenario();
const LONG_RUNNING: [string, string[], string][] = [
  ['demo', ['demo', '--battles', '300000', '--top', '1'], 'simulating battles'],
  ['simulate', ['simulate', '--battles', '200000', '--out', join(tempDir(), 's.jsonl')], 'battles'],
  ['rate --bootstrap', ['rate', J, '--bootstrap', '20'], 'bootstrap'],
  ['compare --bootstrap', ['compare', J, '--a', A, '--b', B, '--bootstrap', '20'], 'bootstrap'],
  ['matrix --bootstrap', ['matrix', J, '--bootstrap', '20'], 'bootstrap'],
  ['report --bootstrap', ['report', J, '--bootstrap', '20', '--top', '3', '--heatmap-top', '3'], 'bootstrap'],
  ['plot intervals --bootstrap', ['plot', 'intervals', J, '--bootstrap', '20', '--top', '3'], 'bootstrap'],
  ['stability', ['stability', J, '--checkpoints', '3', '--sort', 'input'], 'checkpoints'],
  ['plot trajectory', ['plot', 'trajectory', J, '--checkpoints', '3', '--sort', 'input'], 'checkpoints'],
  ['plot stability', ['plot', 'stability', J, '--checkpoints', '3', '--sort', 'input'], 'checkpoints'],
  ['stability --method elo (orderings)', ['stability', J, '--method', 'elo', '--orderings', '20', '--sort', 'input'], 'Elo orderings'],
  ['whatif', ['whatif', '--scenario', s], 'replications'],
  ['plot whatif', ['plot', 'whatif', '--scenario', s], 'replications'],
  ['audit', ['audit', J], 'searches'],
];

describe('progress with time left on a terminal; nothing with --quiet', () => {
  for (const [name, args, label] of LONG_RUNNING) {
    it(name, { timeout: 60_000 }, () => {
      const shown = onTerminal(args);
      expect(shown.code, shown.screen).toBe(0);
      expect(shown.screen).toContain(label);
      expect(shown.screen).toMatch(/\d+% \| [\d/]+ \| ETA \d+s/);
      const quiet = onTerminal([...args, '--quiet']);
      expect(quiet.code, quiet.screen).toBe(0);
      expect(quiet.screen).not.toContain('ETA');
    });
  }
});
