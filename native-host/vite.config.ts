import { defineConfig } from 'vite';
import SERVER_DEPENDENCIES from './server-modules.json';

// The host and CLI as one self-contained ES module for Node: dependencies and data lists are
// bundled in, Node's built-in modules stay imports. The server's and the worker's dependencies
// (server-modules.json, also read by scripts/package.mjs) stay outside as real dependencies,
// imported only by `mxlens serve` and `mxlens worker`: better-sqlite3 is a native addon that
// cannot be bundled, and Fastify (1.4 MB bundled) would slow every start of the host.
// Split into chunks at the commands' dynamic imports (cli/main.ts), so that a start compiles
// only its command's code and loads only the Node modules that code imports (one file made
// every start parse 0.87 MB and load node:crypto and node:child_process). The entry stays
// dist/host/mxlens.mjs; install-command.ts finds it from its chunk in dist/host/chunks/.
export default defineConfig({
  build: {
    ssr: 'native-host/src/cli/entry.ts',
    outDir: 'dist/host',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      // A package and its subpaths (@bull-board/api/bullMQAdapter).
      external: (id) => SERVER_DEPENDENCIES.some((name) => id === name || id.startsWith(`${name}/`)),
      output: { entryFileNames: 'mxlens.mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
  ssr: { noExternal: true, external: SERVER_DEPENDENCIES, target: 'node' },
});
