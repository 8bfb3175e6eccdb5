#!/usr/bin/env node
'use strict';
// The gitseal command line. Runs the compiled CLI (npm run build makes dist/).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`gitseal needs Node.js 24 or newer (this is ${process.versions.node}); run it through npx or npm scripts, which use the pinned node@24\n`);
  process.exit(2);
}
require('../dist/src/cli/main.js').runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
