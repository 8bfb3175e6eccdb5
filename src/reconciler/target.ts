import { createHash } from 'node:crypto';
import { canonicalJson } from './diff/canonical';
import { settingsOf, type ClusterConfig, type TargetSettings } from './target-settings';

/** What the configuration file fixes about a target; only the settings change at run time. */
export interface TargetDefinition {
  id: string;
  repositoryId: string;
  branch: string;
  /** '' for the repository root. */
  manifestPath: string;
  namespace: string;
  cluster: ClusterConfig;
  clusterResources: string[];
  namespaces?: string[];
  reconcileIntervalSeconds: number;
}

export interface TargetConfig {
  definition: TargetDefinition;
  /** The settings as the file states them. */
  settings: TargetSettings;
}

export interface Target extends TargetDefinition {
  settings: TargetSettings;
}

/** Digest of the file's settings: when it changes, the file's settings replace those changed through the API. */
export function settingsDigest(settings: TargetSettings): string {
  return createHash('sha256').update(canonicalJson(settingsOf(settings))).digest('hex');
}
