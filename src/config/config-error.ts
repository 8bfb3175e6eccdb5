/** A setting, or a value in the configuration file, that cannot be used: the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
