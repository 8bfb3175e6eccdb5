import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { SourceService } from './source.service';
import { classifyWebhook, type WebhookAction } from './webhook-event';
import type { VerifiedWebhook } from './webhook.guard';

/** Acts on a verified webhook call: a push to the configured branch schedules a fetch, at once. */
@Injectable()
export class WebhookService {
  constructor(
    private readonly source: SourceService,
    private readonly metrics: MetricsService,
  ) {}

  handle(webhook: VerifiedWebhook, payload: unknown): WebhookAction {
    const { branch } = this.source.repository(webhook.repositoryId);
    const action = classifyWebhook(webhook.provider, webhook.event, payload, branch);
    if (action.action === 'fetch') this.source.requestFetch(webhook.repositoryId);
    this.metrics.webhooksAccepted.inc({ provider: webhook.provider, action: action.action });
    return action;
  }
}
