import type { RepositoryConfig } from '../config/gitseal-file';
import type { FetchResult } from './git-mirror.adapter';

/** Provider token: the configured repositories (`GitsealFileConfig.repositories`). */
export const REPOSITORIES = Symbol('REPOSITORIES');
/** Provider token: how a mirror is made for a repository (a GitMirror; a fake in tests). */
export const MIRROR_FACTORY = Symbol('MIRROR_FACTORY');
/** Provider token: SourceOptions. */
export const SOURCE_OPTIONS = Symbol('SOURCE_OPTIONS');

/** What SourceService needs of a mirror (GitMirror implements it). */
export interface SourceMirror {
  readonly path: string;
  readonly remote: { display: string };
  fetch(): Promise<FetchResult>;
  head(): Promise<string | null>;
  pin(name: string, sha: string): Promise<void>;
  unpin(name: string): Promise<void>;
  close(): Promise<void>;
}

export type MirrorFactory = (repository: RepositoryConfig) => SourceMirror;

export interface SourceOptions {
  /** Poll every repository on its interval (default true; the CLI and some tests turn it off). */
  poll?: boolean;
  /** A number in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  /** Where webhook secrets named by `secretEnv` are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}
