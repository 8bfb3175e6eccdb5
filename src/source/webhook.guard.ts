import { applyDecorators, Inject, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SIGNED_BY_KEY } from '../auth/roles';
import type { RawBodyRequest } from '../app.factory';
import { CLOCK, type Clock } from '../common/clock';
import { MetricsService } from '../metrics/metrics.service';
import { SourceException } from './source.exception';
import { SourceService } from './source.service';
import { verifyWebhook, type WebhookProvider } from './webhook-signature';

export interface VerifiedWebhook {
  repositoryId: string;
  provider: WebhookProvider;
  event: string;
}

export type WebhookRequest = RawBodyRequest & { webhook?: VerifiedWebhook };

const EMPTY = Buffer.alloc(0);

/**
 * Authenticates a webhook call by its signature against the repository's secret, before the
 * handler runs. An unknown repository, one without a usable secret, and a missing or wrong
 * signature are all refused alike (401, same body; the signature is computed in every case, with
 * a random decoy secret when there is none, so not even the timing tells them apart), counted by
 * reason in gitseal_webhooks_rejected_total.
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  private readonly decoy = randomBytes(32).toString('hex');

  constructor(
    private readonly source: SourceService,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    if (request.rawBody === undefined && hasBody(request)) {
      this.metrics.webhooksRejected.inc({ reason: 'unsupported-content-type' });
      throw new SourceException('source.webhook-content-type', 'webhook bodies must be JSON (Content-Type: application/json)');
    }
    const repositoryId = String(request.params.repositoryId ?? '');
    const found = await this.source.webhookSecret(repositoryId);
    const secret = 'secret' in found ? found.secret : this.decoy;
    const verdict = verifyWebhook({ headers: request.headers, body: request.rawBody ?? EMPTY, secret, now: this.clock.now() });
    if ('refused' in found) return this.refuse(found.refused);
    if (!verdict.ok) return this.refuse(verdict.reason);
    request.webhook = { repositoryId, provider: verdict.provider, event: verdict.event };
    return true;
  }

  private refuse(reason: string): never {
    this.metrics.webhooksRejected.inc({ reason });
    throw new SourceException('source.webhook-refused', 'webhook not accepted: no valid signature for this repository');
  }
}

function hasBody(request: WebhookRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/**
 * The route kind for calls from Git servers: no token, the signature instead. The global role
 * guard lets such a route through only when this very guard is attached to it.
 */
export const WebhookSigned = () => applyDecorators(SetMetadata(SIGNED_BY_KEY, WebhookGuard), UseGuards(WebhookGuard));
