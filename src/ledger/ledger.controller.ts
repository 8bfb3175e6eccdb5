import { Controller, Get, HttpCode, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/roles.guard';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles';
import { ConsistencyQuery, EntriesQuery, ExportQuery, InclusionQuery } from './ledger.dto';
import { LedgerService, type CheckpointView } from './ledger.service';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('api/ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @ApiOperation({ summary: 'Ledger entries from a seq (optionally of one type or about one commit), with their exact bytes and leaf hashes' })
  @Roles('auditor', 'admin', 'security')
  @Get('entries')
  entries(@Query() q: EntriesQuery) {
    return this.ledger.entries(q.from, q.limit, { type: q.type, commit: q.commit });
  }

  @ApiOperation({ summary: 'The newest signed checkpoint (C2SP signed note)' })
  @Roles('auditor', 'admin', 'security', 'gate', 'approver')
  @Get('checkpoint')
  async checkpoint(): Promise<CheckpointView> {
    const cp = await this.ledger.latestCheckpoint();
    if (!cp) throw new NotFoundException('no checkpoint has been signed yet');
    return cp;
  }

  @ApiOperation({ summary: 'Sign a checkpoint of the current ledger now (returns the newest if nothing changed)' })
  @Roles('auditor', 'admin')
  @Post('checkpoint')
  @HttpCode(200)
  sign() {
    return this.ledger.signCheckpoint(false);
  }

  @ApiOperation({ summary: 'The verifier key that checks checkpoints and evidence bundles' })
  @Roles('auditor', 'admin', 'security', 'gate', 'approver')
  @Get('public-key')
  publicKey(): { verifierKey: string } {
    return { verifierKey: this.ledger.verifierKey };
  }

  @ApiOperation({ summary: 'RFC 9162 inclusion proof of an entry' })
  @Roles('auditor', 'admin', 'security')
  @Get('proofs/inclusion')
  inclusion(@Query() q: InclusionQuery) {
    return this.ledger.inclusion(q.seq, q.size);
  }

  @ApiOperation({ summary: 'RFC 9162 consistency proof between two tree sizes' })
  @Roles('auditor', 'admin', 'security')
  @Get('proofs/consistency')
  consistency(@Query() q: ConsistencyQuery) {
    return this.ledger.consistency(q.from, q.to);
  }

  @ApiOperation({ summary: 'Evidence bundle of a range of entries, verifiable offline with `gitseal ledger verify`' })
  @Roles('auditor', 'admin')
  @Get('export')
  async export(@Query() q: ExportQuery, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const bundle = await this.ledger.exportBundle(q.from, q.to, req.principal?.name ?? 'unknown');
    res.setHeader('Content-Disposition', `attachment; filename="gitseal-evidence-${q.from}-${q.to}.json"`);
    return bundle;
  }
}
