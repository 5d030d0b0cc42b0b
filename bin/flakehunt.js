#!/usr/bin/env node
// The bundle (bin/build-bundle.mjs) starts faster. FLAKEHUNT_UNBUNDLED=1 loads the modules of dist/
// one by one instead, so a diagnostic preload such as bench/trace-docker.mjs can patch them.
const { main } = await import(process.env.FLAKEHUNT_UNBUNDLED === '1' ? '../dist/cli/main.js' : '../dist/bundle/main.js');

// `flakehunt … | head` closes the pipe early. That must not stop a sweep half-way (its containers
// and claims would be left behind): later writes to the closed stream are simply dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// A safety net: every promise is awaited or handled, so reaching this is a bug worth reporting.
let unhandled = false;
process.on('unhandledRejection', (reason) => {
  unhandled = true;
  process.stderr.write(`flakehunt: internal error (unhandled rejection): ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});

const code = await main(process.argv);
process.exitCode = unhandled ? 70 : code;
