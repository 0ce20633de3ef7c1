// The renderer's side of ../shared/DESIGN.md ("Processes"): it talks to the
// engine over HTTP only, and compiles against the engine's wire types, which
// live in engine/api (types only, checked by eslint.config.js). Any other
// engine module, or a value import even from engine/api, would put engine code
// into the browser bundle.
import tseslint from 'typescript-eslint';
import svelteParser from 'svelte-eslint-parser';

const files = ['renderer/src/**/*.ts', 'renderer/src/**/*.svelte'];

export default [
  // Only the layering is checked here; the renderer's other eslint-disable comments are for editors' full rule sets.
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  { files: ['renderer/src/**/*.ts'], languageOptions: { parser: tseslint.parser } },
  { files: ['renderer/src/**/*.svelte'], languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser } } },
  {
    files,
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)engine/(?!api/[a-z-]+/types(\\.js)?$)', message: 'the renderer may import only engine/api (the wire types), never engine code: it talks to the engine over HTTP' },
        { group: ['**/engine/api/**'], allowTypeImports: true, message: 'engine/api holds types only: use `import type`' },
        { group: ['electron', 'electron/*'], message: 'the renderer runs in a browser too; the window reaches the shell only through the preload' },
      ] }],
    },
  },
];
