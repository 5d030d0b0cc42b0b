#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// `flakehunt … | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// A safety net: every promise is awaited or handled, so reaching this is a bug worth reporting.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`flakehunt: internal error (unhandled rejection): ${reason instanceof Error ? reason.stack : String(reason)}\n`);
  process.exitCode = 70;
});

process.exitCode = await main(process.argv);
