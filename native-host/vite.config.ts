import { defineConfig } from 'vite';

// The host and CLI as one self-contained ES module for Node: dependencies and data lists are
// bundled in, Node's built-in modules stay imports. The server's dependencies stay outside as
// real dependencies, imported only by `mxlens serve`: better-sqlite3 is a native addon that
// cannot be bundled, and Fastify (1.4 MB bundled) would slow every start of the host.
// (Code splitting is no way out: shared modules would move to a chunk, and install finds the
// host by the bundle's own file name.)
const SERVER_DEPENDENCIES = [
  'better-sqlite3', 'fastify', '@fastify/cors', 'pg', 'bullmq', 'ioredis', 'rate-limiter-flexible', 'redis-semaphore',
  '@bull-board/api', '@bull-board/api/bullMQAdapter', '@bull-board/fastify',
];
export default defineConfig({
  build: {
    ssr: 'native-host/src/cli/entry.ts',
    outDir: 'dist/host',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      external: SERVER_DEPENDENCIES,
      output: { entryFileNames: 'mxlens.mjs', inlineDynamicImports: true },
    },
  },
  ssr: { noExternal: true, external: SERVER_DEPENDENCIES, target: 'node' },
});
