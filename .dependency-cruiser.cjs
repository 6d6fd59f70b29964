/**
 * The layer guard (run by `npm run lint`): arrows point down, never sideways between edges.
 *   bottom   src/units, src/model, src/format
 *   engines  src/optimize, src/simulate, src/hypervisor, src/fleet, src/report
 *   ops      src/ops (one module per operation) and src/schema (the shared zod input schema)
 *   edges    src/cli, src/server, web
 * See docs/architecture.md. test/architecture/guard.test.ts runs this file on a deliberate bad import.
 */
const EDGE = '^(src/cli|src/server|web)/';
const OPS = '^src/(ops|schema)/';
const ENGINES = '^src/(optimize|simulate|hypervisor|fleet|report)/';
const BOTTOM = '^src/(units|model|format)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'server-imports-cli',
      comment: 'The HTTP API translates onto src/ops; it never reaches into the command line.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^(src/cli|web)/' },
    },
    {
      name: 'web-imports-edge',
      comment: 'The explorer calls src/ops (and the layers below) in the browser, never the CLI or the server.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/(cli|server)/' },
    },
    {
      name: 'cli-imports-edge',
      comment:
        'The CLI never imports another edge; the one exception is `precopy serve`, which starts the server ' +
        '(src/cli/commands/serve.ts -> src/server/index.ts).',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/serve[.]ts$' },
      to: { path: '^(src/server|web)/' },
    },
    {
      name: 'serve-imports-server-entry-only',
      comment: '`precopy serve` may import the server entry point only.',
      severity: 'error',
      from: { path: '^src/cli/commands/serve[.]ts$' },
      to: { path: '^(src/server|web)/', pathNot: '^src/server/index[.]ts$' },
    },
    {
      name: 'ops-imports-edge',
      comment: 'Operations are called by the edges; they never import one.',
      severity: 'error',
      from: { path: OPS },
      to: { path: EDGE },
    },
    {
      name: 'engine-imports-up',
      comment: 'Engines import the bottom layer and each other, never src/ops, src/schema or an edge.',
      severity: 'error',
      from: { path: ENGINES },
      to: { path: `${OPS}|${EDGE}` },
    },
    {
      name: 'bottom-imports-up',
      comment: 'units, model and format are the bottom: they import nothing above them.',
      severity: 'error',
      from: { path: BOTTOM },
      to: { path: `${ENGINES}|${OPS}|${EDGE}` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
