import { defineConfig } from 'vite';

// The host and CLI as one self-contained ES module for Node: dependencies and data lists are
// bundled in, Node's built-in modules stay imports.
export default defineConfig({
  build: {
    ssr: 'native-host/src/cli/entry.ts',
    outDir: 'dist/host',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      output: { entryFileNames: 'mxlens.mjs', inlineDynamicImports: true },
    },
  },
  ssr: { noExternal: true, target: 'node' },
});
