// The console (renderer/) is a Svelte 5 single-page app; the engine serves the
// built files on the console port, and the Electron window loads the same build.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte()],
  build: { outDir: '../dist/renderer', emptyOutDir: true },
});
