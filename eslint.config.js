// The layering of ../shared/DESIGN.md ("Engine layers", "Processes"), checked
// on every import: data flows request → s3 → iam → object → erasure → drive,
// and each layer may import only the layers below it.
import tseslint from 'typescript-eslint';

const above = (...layers) => layers.map((l) => ({ group: [`**/${l}/**`, `../${l}/*`, `./${l}/*`], message: `this layer may not import engine/${l}: data flows one way (DESIGN.md, "Engine layers")` }));
const noElectron = { group: ['electron', 'electron/*'], message: 'the engine never imports Electron: it also runs headless' };
const noRenderer = { group: ['**/renderer/**'], message: 'the engine never imports the renderer' };

function layer(files, ...forbidden) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [noElectron, noRenderer, ...above(...forbidden)] }],
    },
  };
}

export default [
  { ignores: ['node_modules/**', 'dist/**', 'renderer/**', 'build/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  layer(['engine/**/*.ts']),
  // The wire types the renderer and the shell compile against: declarations only, importing nothing but each other.
  {
    files: ['engine/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\.\\./[a-z-]+/types\\.js$)', message: 'engine/api imports only its own type modules (../CONTRACT/types.js): the renderer compiles against it' }] }],
      'no-restricted-syntax': ['error',
        { selector: 'Program > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration, TSEnumDeclaration, ExpressionStatement, ExportDefaultDeclaration)', message: 'engine/api holds types only: no code' },
        { selector: 'ExportNamedDeclaration > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration, TSEnumDeclaration)', message: 'engine/api holds types only: no code' },
        { selector: "ImportDeclaration[importKind='value'], ExportNamedDeclaration[source][exportKind='value'], ExportAllDeclaration[exportKind='value']", message: 'engine/api holds types only: `import type` / `export type`' },
      ],
    },
  },
  // The shell reaches the engine only through its process: it compiles against the wire types in engine/api, never engine code.
  {
    files: ['electron/**/*.ts', 'electron/**/*.cts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)engine/(?!api/[a-z-]+/types(\\.js)?$)', message: 'electron/ compiles against the engine wire types only (engine/api/host/types.ts): the engine runs in its own process' },
        { group: ['**/engine/api/**'], allowTypeImports: true, message: 'engine/api holds types only: use `import type`' },
        noRenderer,
      ] }],
    },
  },
  layer(['engine/common/**/*.ts'], 'heal', 'drive', 'erasure', 'object', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'crypto', 'config', 'host'),
  layer(['engine/drive/**/*.ts'], 'heal', 'erasure', 'object', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'host'),
  layer(['engine/erasure/**/*.ts'], 'heal', 'object', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'host'),
  layer(['engine/object/**/*.ts'], 'heal', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'host'),
  layer(['engine/heal/**/*.ts'], 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'host'),
  layer(['engine/iam/**/*.ts'], 's3', 'sts', 'admin', 'console', 'server', 'cli', 'host'),
  layer(['engine/s3/**/*.ts'], 'drive', 'erasure', 'admin', 'console', 'server', 'cli', 'host'),
  // Beside the request path: they may use iam, the object layer and SigV4, never the drives or each other's hosts.
  // Transport security: node's tls and an X.509 library only; the server wires it to the listeners.
  layer(['engine/tls/**/*.ts'], 'drive', 'erasure', 'object', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'crypto', 'config', 'host'),
  layer(['engine/crypto/**/*.ts'], 'drive', 'erasure', 'object', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'host'),
  layer(['engine/admin/**/*.ts'], 'drive', 'erasure', 'console', 'server', 'cli', 'host'),
  // STS issues sessions through iam and signs with node's crypto and jose; of s3 it takes only the query-API reply types.
  layer(['engine/sts/**/*.ts'], 'drive', 'erasure', 'object', 'admin', 'console', 'server', 'cli', 'audit', 'metrics', 'host'),
  // Metrics read the engine through what the server hands them (the layer's counters, the audit log's stats): never the drives or the audit module.
  layer(['engine/metrics/**/*.ts'], 'drive', 'erasure', 'admin', 'console', 'server', 'cli', 'audit', 'host'),
  layer(['engine/console/**/*.ts'], 'drive', 'erasure', 'admin', 'server', 'cli', 'host'),
  // Health reads drive state through the object layer and hands events to whoever listens: never the drives, HTTP or hosts.
  layer(['engine/health/**/*.ts'], 'drive', 'erasure', 'iam', 's3', 'sts', 'admin', 'console', 'server', 'cli', 'host'),
  layer(['engine/server/**/*.ts'], 'drive', 'erasure', 'cli', 'host'),
  // First-run setup: checks drives as the erasure layer would (without formatting), serves the wizard's API; the server starts the engine for it.
  layer(['engine/setup/**/*.ts'], 'object', 's3', 'sts', 'admin', 'server', 'cli', 'audit', 'metrics', 'host'),
  // The engine as a child process of the desktop shell (or of a test): the top, beside cli; it never imports Electron (base rule).
  layer(['engine/host/**/*.ts'], 's3', 'sts', 'admin', 'console', 'setup'),
];
