import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, one registry per application instance. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'gitseal_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'gitseal_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'gitseal_auth_failures_total',
    help: 'Requests refused for a missing or invalid token, or a missing role',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly ledgerAppends = new Counter({
    name: 'gitseal_ledger_entries_appended_total',
    help: 'Ledger entries appended by this process, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly ledgerSize = new Gauge({
    name: 'gitseal_ledger_size',
    help: 'Number of entries in the ledger, as last seen by this process',
    registers: [this.registry],
  });

  readonly checkpointSize = new Gauge({
    name: 'gitseal_ledger_checkpoint_size',
    help: 'Tree size of the newest signed checkpoint',
    registers: [this.registry],
  });

  readonly checkpointTimestamp = new Gauge({
    name: 'gitseal_ledger_checkpoint_timestamp_seconds',
    help: 'Unix time the newest checkpoint was signed',
    registers: [this.registry],
  });

  readonly gateDecisions = new Counter({
    name: 'gitseal_gate_decisions_recorded_total',
    help: 'Gate decisions recorded (new or changed), by repository and decision',
    labelNames: ['repository', 'decision'] as const,
    registers: [this.registry],
  });

  readonly gateRunDuration = new Histogram({
    name: 'gitseal_gate_run_duration_seconds',
    help: 'Time to decide the new commits of a repository after a fetch',
    labelNames: ['repository'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly sourceFetches = new Counter({
    name: 'gitseal_source_fetches_total',
    help: 'Fetches of configured repositories, by result (changed, unchanged, failed)',
    labelNames: ['repository', 'result'] as const,
    registers: [this.registry],
  });

  readonly sourceFetchFailures = new Counter({
    name: 'gitseal_source_fetch_failures_total',
    help: 'Failed fetches of configured repositories',
    labelNames: ['repository'] as const,
    registers: [this.registry],
  });

  readonly sourceFetchDuration = new Histogram({
    name: 'gitseal_source_fetch_duration_seconds',
    help: 'Duration of repository fetches (ls-remote, transfer and event delivery)',
    labelNames: ['repository'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly sourceLastSuccess = new Gauge({
    name: 'gitseal_source_last_success_timestamp_seconds',
    help: 'Unix time of the last successful fetch of each repository',
    labelNames: ['repository'] as const,
    registers: [this.registry],
  });

  readonly webhooksAccepted = new Counter({
    name: 'gitseal_webhooks_accepted_total',
    help: 'Webhook calls whose signature verified, by provider and what was done (fetch, ignored, ping)',
    labelNames: ['provider', 'action'] as const,
    registers: [this.registry],
  });

  readonly webhooksRejected = new Counter({
    name: 'gitseal_webhooks_rejected_total',
    help: 'Webhook calls refused, by reason (the caller is never told which)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly reconcilerSyncs = new Counter({
    name: 'gitseal_reconciler_syncs_total',
    help: 'Syncs recorded by the reconciler, by target, trigger and outcome',
    labelNames: ['target', 'trigger', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly reconcilerSyncDuration = new Histogram({
    name: 'gitseal_reconciler_sync_duration_seconds',
    help: 'Duration of recorded syncs, health wait included',
    labelNames: ['target'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly reconcilerApplied = new Counter({
    name: 'gitseal_reconciler_resources_applied_total',
    help: 'Objects applied (server-side apply) and pruned by the reconciler',
    labelNames: ['target', 'action'] as const,
    registers: [this.registry],
  });

  readonly reconcilerDrift = new Counter({
    name: 'gitseal_reconciler_drift_detected_total',
    help: 'Objects found drifted from the synced commit (each distinct drift counted once)',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  readonly reconcilerHealthy = new Gauge({
    name: 'gitseal_reconciler_target_healthy',
    help: '1 when the target is synced and healthy, 0 otherwise',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gitseal_' });
  }
}
