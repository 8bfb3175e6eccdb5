import type { ServerResponse } from 'node:http';
import { badRequest, failureStatus } from './api-error';
import { parseFieldSelector } from './field-selector';
import { parseLabelSelector } from './label-selector';
import type { ObjectWriter } from './object-writer';
import { storageKey } from './object-store';
import { type ResourceType, apiVersionOf } from './resource-types';
import type { KubeObject } from './sandbox.types';
import { type EventType, type WatchFilter, matchesFilter } from './watch-hub';

export interface WatchOptions {
  bookmarkIntervalMs: number;
  defaultTimeoutSeconds: number;
}

/**
 * Serves `?watch=true`: newline-delimited JSON events, chunked, from `resourceVersion` on (or the
 * current state as ADDED events), BOOKMARKs when asked for, closed on `timeoutSeconds`. A version
 * older than the retained history gets an ERROR event with a 410 Expired Status, as the real
 * watch cache answers. Returns a function that ends the stream.
 */
export function serveWatch(res: ServerResponse, w: ObjectWriter, type: ResourceType, namespace: string | undefined, query: URLSearchParams, opts: WatchOptions): () => void {
  const filter: WatchFilter = {
    key: storageKey(type),
    namespace: type.namespaced ? namespace : undefined,
    labels: parseLabelSelector(query.get('labelSelector') ?? undefined),
    fields: parseFieldSelector(query.get('fieldSelector') ?? undefined, type.kind),
  };
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
  const timeoutRaw = query.get('timeoutSeconds');
  const timeoutSeconds = timeoutRaw !== null && /^\d+$/.test(timeoutRaw) ? Number(timeoutRaw) : opts.defaultTimeoutSeconds;
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const apiVersion = apiVersionOf(type);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const write = (eventType: EventType | 'BOOKMARK' | 'ERROR', object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };
  const send = (eventType: EventType, obj: KubeObject): void => write(eventType, obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion });
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(w.store.currentRv) };
    if (annotations) metadata.annotations = annotations;
    write('BOOKMARK', { kind: type.kind, apiVersion, metadata });
  };

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
  };
  res.on('close', close);

  if (rvParam !== '' && rvParam !== '0') {
    const rv = Number(rvParam);
    if (!w.hub.canResumeFrom(rv)) {
      write('ERROR', failureStatus(410, 'Expired', `too old resource version: ${rv} (${w.hub.oldestRetainedRv - 1})`));
      close();
      return close;
    }
    for (const e of w.hub.eventsAfter(rv, filter)) send(e.type, e.object);
  } else {
    for (const obj of w.store.list(filter.key, filter.namespace)) if (matchesFilter(filter, obj)) send('ADDED', obj);
    if (bookmarks && query.get('sendInitialEvents') === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  unsubscribe = w.hub.add({ filter, send, close });
  timers.push(setTimeout(close, timeoutSeconds * 1000));
  if (bookmarks) {
    const interval = setInterval(() => bookmark(), opts.bookmarkIntervalMs);
    timers.push(interval);
  }
  for (const t of timers) t.unref();
  return close;
}
