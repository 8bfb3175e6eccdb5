import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SourceException } from './source.exception';
import type { WebhookAction } from './webhook-event';
import { WebhookSigned, type WebhookRequest } from './webhook.guard';
import { WebhookService } from './webhook.service';

@ApiTags('webhooks')
@Controller('api/webhooks')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @ApiOperation({
    summary: 'Push notification from a Git server (GitHub, GitLab, Gitea/Forgejo, or a generic HMAC-signed call)',
    description: 'Authenticated by the signature of the body with the repository webhook secret, not by a token. 202: a fetch is scheduled; 200: acknowledged and ignored.',
  })
  @WebhookSigned()
  @Post(':repositoryId')
  receive(@Req() req: WebhookRequest, @Res({ passthrough: true }) res: Response): WebhookAction {
    if (!req.webhook) throw new SourceException('source.webhook-refused', 'webhook not accepted: no valid signature for this repository');
    const result = this.webhooks.handle(req.webhook, req.body);
    res.status(result.action === 'fetch' ? 202 : 200);
    return result;
  }
}
