import { ConfigError } from '../config/config.schema';
import { DataDirLockedError } from '../database/data-dir-lock';
import { EXIT_USAGE, parseCommandArgs, type CliCommand } from './command';
import { closeOnSignal } from './shutdown';

export const serveCommand: CliCommand = {
  path: ['serve'],
  help: `usage: gitseal serve

Runs the gitseal service. Configuration comes from environment variables (README, "Configuration").
Without DATABASE_URL it uses PGlite in GITSEAL_DATA_DIR (default ./.gitseal).`,
  async run(argv, io) {
    parseCommandArgs(argv, {});
    try {
      // Loaded here, not at the top: the other commands should not pay for loading the service.
      const { startServer } = await import('../server');
      const { Logger } = await import('@nestjs/common');
      const { app, url } = await startServer(io.env, io.cwd);
      new Logger('gitseal').log(`listening on ${url}`);
      await closeOnSignal(app);
      return 0;
    } catch (err) {
      if (err instanceof ConfigError || err instanceof DataDirLockedError) {
        io.stderr(`gitseal: ${err.message}\n`);
        return EXIT_USAGE;
      }
      throw err;
    }
  },
};
