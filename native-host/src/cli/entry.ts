import { main } from './main.js';

// A reader that went away (`mxlens verify ... | head`, or a browser that closed the port) is
// not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
