import { ConfigError } from './config-error';

/**
 * A manifest folder as a relative path inside the repository, '' for the whole tree. Refuses
 * absolute paths and `.`/`..`/empty components: nothing from outside the repository is read.
 * (Its own module: `gitseal verify` needs it without the configuration schema.)
 */
export function normaliseManifestPath(p: string): string {
  const trimmed = p.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return '';
  if (trimmed.startsWith('/') || trimmed.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw new ConfigError(`manifestPath ${JSON.stringify(p)} must be a relative folder inside the repository`);
  }
  return trimmed;
}
