import 'reflect-metadata';
import { runCli } from './cli/main';

// `node dist/src/main.js` (npm start) is `gitseal serve`.
void runCli(['serve', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
