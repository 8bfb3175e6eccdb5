import { Body, Controller, Get, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../../auth/roles';
import type { AuthenticatedRequest } from '../../auth/roles.guard';
import { OperationsService } from './operations.service';
import { RollbackDto, SettingsPatchDoc, WaitQuery } from './targets.dto';

function actor(req: AuthenticatedRequest): string {
  return req.principal?.name ?? 'unknown';
}

@ApiTags('targets')
@ApiBearerAuth()
@Controller('api/targets')
export class TargetsController {
  constructor(private readonly ops: OperationsService) {}

  @ApiOperation({ summary: 'Every target with its settings and status' })
  @Roles('admin', 'security', 'auditor')
  @Get()
  list() {
    return this.ops.list();
  }

  @ApiOperation({ summary: 'One target: synced commit, health, last sync, last error, last drift, settings' })
  @Roles('admin', 'security', 'auditor')
  @Get(':id')
  get(@Param('id') id: string) {
    return this.ops.get(id);
  }

  @ApiOperation({ summary: 'Change automated / prune / selfHeal / forceConflicts / healthTimeoutSeconds / windows / ignoreDifferences (recorded as target.changed)' })
  @ApiBody({ type: SettingsPatchDoc })
  @Roles('admin')
  @Patch(':id')
  update(@Param('id') id: string, @Body() body: unknown, @Req() req: AuthenticatedRequest) {
    return this.ops.update(id, body, actor(req));
  }

  @ApiOperation({ summary: 'Dry-run diff of the newest allowed commit against the cluster (server-side dry run)' })
  @Roles('auditor', 'admin', 'security')
  @Get(':id/plan')
  plan(@Param('id') id: string) {
    return this.ops.plan(id);
  }

  @ApiOperation({ summary: 'Sync the newest allowed commit now (recorded as sync.requested)' })
  @Roles('admin')
  @Post(':id/sync')
  async sync(@Param('id') id: string, @Query() q: WaitQuery, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const wait = q.wait === 'true';
    const result = await this.ops.sync(id, actor(req), wait);
    res.status(wait ? 200 : 202).json(result);
  }

  @ApiOperation({ summary: 'Roll back to an earlier allowed commit; turns automated sync off (recorded as rollback.requested)' })
  @Roles('admin')
  @Post(':id/rollback')
  async rollback(@Param('id') id: string, @Body() dto: RollbackDto, @Query() q: WaitQuery, @Req() req: AuthenticatedRequest, @Res() res: Response): Promise<void> {
    const wait = q.wait === 'true';
    const result = await this.ops.rollback(id, dto.commit, dto.reason, actor(req), wait);
    res.status(wait ? 200 : 202).json(result);
  }
}
