/**
 * Layer rules for src/ (checked in CI by `npm run lint:deps`, part of `npm test`).
 *
 * Layers, lowest first. A module may import its own layer and the layers below it, never a layer above:
 *
 *   base (src/*.ts: errors, rng, version) → math → data → rating (fits on pair counts) → models (the rating-model
 *   family) → stats (the uncertainty engine) → leaderboard (rows, ranks) → sim (simulation, what-if, stability) →
 *   formats (tables, CSV, Markdown) → plot → report → cli
 *
 * The public entry points (src/index.ts, src/advanced.ts, src/plot/index.ts) only re-export; they may reach any
 * layer except cli. No cycles anywhere.
 */
const LAYERS = ['math', 'data', 'rating', 'models', 'stats', 'leaderboard', 'sim', 'formats', 'plot', 'report', 'cli'];
const ENTRY_POINTS = '^src/(index|advanced|plot/index)\\.ts$';

const upward = LAYERS.slice(0, -1).map((layer, k) => ({
  name: `no-upward-from-${layer}`,
  comment: `${layer} may import only ${['base', ...LAYERS.slice(0, k)].join(', ')} and itself`,
  severity: 'error',
  from: { path: `^src/${layer}/`, pathNot: ENTRY_POINTS },
  to: { path: `^src/(${LAYERS.slice(k + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles between modules',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-upward-from-base',
      comment: 'src/*.ts (errors, rng, version) import nothing else in src/ (the entry points excepted)',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$', pathNot: ENTRY_POINTS },
      to: { path: '^src/[^/]+/' },
    },
    ...upward,
    {
      name: 'entry-points-not-cli',
      comment: 'the library entry points never load the CLI, except arena-sim/advanced re-exporting runCli',
      severity: 'error',
      from: { path: ENTRY_POINTS },
      to: { path: '^src/cli/', pathNot: '^src/cli/run\\.ts$' },
    },
    {
      name: 'root-entry-not-cli',
      comment: 'the root and plot entry points never load the CLI',
      severity: 'error',
      from: { path: '^src/(index|plot/index)\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'root-entry-no-plot',
      comment: 'the root entry point does not load plotting (vega); that is arena-sim/plot',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/(plot|report)/' },
    },
    {
      name: 'vega-on-demand',
      comment: 'Vega (its renderer, the HTML report that draws with it) loads on demand: a static import from the CLI or the core would load it at every start (0.3 s and 20 MB more for `arena --version`)',
      severity: 'error',
      from: { pathNot: '^src/(plot|report)/' },
      to: { path: '^(src/(report/|plot/render\\.ts$)|node_modules/vega)', dynamic: false, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
