import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles';
import { SourceService } from '../source/source.service';
import { GateService } from './gate.service';

@ApiTags('repositories')
@ApiBearerAuth()
@Controller('api/repositories')
export class RepositoriesController {
  constructor(
    private readonly source: SourceService,
    private readonly gate: GateService,
  ) {}

  @ApiOperation({ summary: 'Guarded repositories: mirror status and the gate anchor (newest allowed commit)' })
  @Roles('admin', 'security', 'auditor', 'gate')
  @Get()
  async list() {
    return Promise.all(this.source.status().map(async (s) => ({ ...s, gate: (await this.gate.state(s.repositoryId)) ?? null })));
  }

  @ApiOperation({ summary: 'One repository' })
  @Roles('admin', 'security', 'auditor', 'gate')
  @Get(':id')
  async get(@Param('id') id: string) {
    const status = this.source.statusOf(id);
    return { ...status, gate: (await this.gate.state(id)) ?? null };
  }

  @ApiOperation({ summary: 'Fetch now and decide: answers with the decision run that followed the fetch' })
  @Roles('admin', 'gate')
  @Post(':id/fetch')
  @HttpCode(200)
  async fetch(@Param('id') id: string) {
    const runsBefore = this.gate.lastRun(id)?.runs ?? 0;
    const status = await this.source.fetchNow(id);
    // A fetch that changed something has been decided by the gate already (the source awaits its
    // listeners); one that changed nothing is decided again now, so the caller always sees a run.
    const run = (this.gate.lastRun(id)?.runs ?? 0) > runsBefore ? this.gate.lastRun(id) : await this.gate.decide(id, 'manual');
    return { ...status, gate: run };
  }
}
