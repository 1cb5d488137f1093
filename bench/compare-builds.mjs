#!/usr/bin/env node
// Do two builds give the same numbers? `arena rate --format json` under a list of model, weight, covariate, filter
// and interval options on the real fixtures, with this build and another one (e.g. main's, copied before a change),
// and the largest absolute difference between the two outputs over every number of the JSON (ratings, bounds,
// coefficients, tie parameters, log-likelihood, …). Not a timing.
// Usage: npm run build && node bench/compare-builds.mjs --baseline DIR [--build DIR]
// Inputs: fixtures/data/chatbot-arena-20240814/battles.jsonl (1.67M real battles as count rows) and, made once in
// bench/.cache/, the 2024-08-14 language subset (fixtures/data/chatbot-arena-20240814-languages, 12,656 real rows)
// with seeded fields added from createRng('compare-builds'): `is_direct` (0/1), `conv_metadata` holding
// `sum_user_tokens` and the eight style counts (so that style control runs on real pairs and outcomes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, markdownTable, maxDiff, parseArgs } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { baseline: '', build: join(ROOT, 'dist') });
if (!o.baseline) throw new Error('--baseline DIR is required (another build\'s dist/)');
const { createRng } = await import(join(resolve(o.build), 'index.js'));
const bins = [join(resolve(o.build), 'cli', 'main.js'), join(resolve(o.baseline), 'cli', 'main.js')];

const cache = join(ROOT, 'bench', '.cache');
mkdirSync(cache, { recursive: true });
const full = join(ROOT, 'fixtures', 'data', 'chatbot-arena-20240814', 'battles.jsonl');
const langs = join(cache, 'languages-covariates.jsonl');
if (!existsSync(langs)) {
  const rng = createRng('compare-builds');
  const src = readFileSync(join(ROOT, 'fixtures', 'data', 'chatbot-arena-20240814-languages', 'battles.jsonl'), 'utf8').trim().split('\n');
  const int = (n) => Math.floor(rng() * n);
  const out = src.map((line) => {
    const row = JSON.parse(line);
    row.is_direct = rng() < 0.3 ? 1 : 0;
    row.conv_metadata = {
      sum_user_tokens: 1 + int(2000),
      sum_assistant_a_tokens: int(1500),
      sum_assistant_b_tokens: int(1500),
      header_count_a: int(6),
      header_count_b: int(6),
      list_count_a: int(12),
      list_count_b: int(12),
      bold_count_a: int(8),
      bold_count_b: int(8),
    };
    return JSON.stringify(row);
  });
  writeFileSync(langs, out.join('\n') + '\n');
}

const covs = ['--covariate', 'is_direct', '--covariate', 'user_tokens=conv_metadata.sum_user_tokens'];
const configs = [
  { file: full, args: [] },
  { file: full, args: ['--ties', 'davidson'] },
  { file: full, args: ['--ties', 'rao-kupper'] },
  { file: full, args: ['--reweight', 'pairs'] },
  { file: full, args: ['--bootstrap', '200', '--seed', '1', '--threads', '1'] },
  { file: langs, args: covs },
  { file: langs, args: [...covs, '--reweight', 'pairs'] },
  { file: langs, args: [...covs, '--filter', 'language == "Japanese"'] },
  { file: langs, args: [...covs, '--ties', 'davidson'] },
  { file: langs, args: ['--covariate', 'len=ratio(conv_metadata.sum_assistant_a_tokens, conv_metadata.sum_assistant_b_tokens)', '--covariate', 'd=conv_metadata.sum_user_tokens * 2 - is_direct'] },
  { file: langs, args: ['--style-control'] },
  { file: langs, args: ['--style-control', '--style-form', 'fastchat-2024', '--covariate', 'is_direct', '--reweight', 'pairs'] },
  { file: langs, args: ['--style-control', '--ties', 'rao-kupper'] },
  { file: langs, args: [...covs, '--ci-method', 'bootstrap', '--bootstrap', '100', '--seed', '3', '--threads', '1'] },
];


const rows = configs.map((c) => {
  const [a, b] = bins.map((bin) => JSON.parse(execFileSync(process.execPath, [bin, 'rate', c.file, '--format', 'json', '--quiet', ...c.args], { maxBuffer: 1 << 28 })));
  const name = c.file === full ? 'chatbot-arena-20240814' : 'languages + seeded covariates';
  return [name, c.args.join(' ') || '(defaults)', String(a.battles), String(maxDiff(a, b)), String(maxDiff(a.models.map((m) => m.rating), b.models.map((m) => m.rating)))];
});
console.log(`compare-builds: ${bins[0]} against ${bins[1]}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(markdownTable(['file', 'options', 'battles', 'max \\|Δ\\| (every number)', 'max \\|Δ\\| (ratings)'], rows));
