/**
 * Published after a fetch that changed the branch head or the approvals notes (and once after a
 * start, so subscribers can catch up). Subscribers (the gate) decide the commits new since the
 * last one they decided; an event is a prompt to look, never the only record of what to decide.
 */
export interface RepositoryFetched {
  repositoryId: string;
  /** The branch head in the mirror now. */
  head: string;
  /** The branch head the mirror had before this fetch (null: the first fetch ever). */
  previousHead: string | null;
  /** refs/notes/gitseal-approvals now and before (null when absent). */
  notes: string | null;
  previousNotes: string | null;
  /** The head does not descend from the previous one (force-push); the previous one is pinned. */
  rewritten: boolean;
  fetchedAt: Date;
}

/**
 * A subscriber. Events of one repository are delivered in order, one at a time, each awaited
 * before the next fetch of that repository completes. A listener that throws or rejects is
 * logged and the same state is delivered again after the next successful fetch.
 */
export type RepositoryFetchedListener = (event: RepositoryFetched) => void | Promise<void>;

export interface RepositoryStatus {
  repositoryId: string;
  /** The remote, safe to show. */
  url: string;
  branch: string;
  head: string | null;
  notes: string | null;
  /** End of the last fetch attempt, successful or not (ISO 8601). */
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  consecutiveFailures: number;
  nextPollAt: string | null;
  fetching: boolean;
}
