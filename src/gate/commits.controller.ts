import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import type { AuthenticatedRequest } from '../auth/roles.guard';
import { Roles } from '../auth/roles';
import { DomainException } from '../common/domain.exception';
import { GateRepository, type StoredDecision } from './gate.repository';
import { PostedApprovalsService } from './posted-approvals.service';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const REPOSITORY_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class CommitsQuery {
  @ApiPropertyOptional({ description: 'Only this repository' })
  @IsOptional()
  @Matches(REPOSITORY_ID, { message: 'repository must be a repository id' })
  repository?: string;

  @ApiPropertyOptional({ enum: ['allow', 'block'] })
  @IsOptional()
  @IsIn(['allow', 'block'])
  decision?: 'allow' | 'block';

  @ApiPropertyOptional({ default: 50, description: '1-500' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Page: decisions older than this decision id' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;
}

export class CommitQuery {
  @ApiPropertyOptional({ description: 'The repository (when a commit is in several)' })
  @IsOptional()
  @Matches(REPOSITORY_ID, { message: 'repository must be a repository id' })
  repository?: string;

  @ApiPropertyOptional({ description: 'Include the policy input document (for replaying the decision)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  input?: 'true' | 'false';
}

export class PostApprovalDto {
  @ApiProperty({ example: 'shop-config' })
  @Matches(REPOSITORY_ID, { message: 'repository must be a repository id' })
  repository!: string;

  @ApiProperty({ description: 'Full commit sha' })
  @Matches(SHA, { message: 'commit must be a full lower-case commit sha' })
  commit!: string;

  @ApiProperty({ description: 'OpenPGP clear-signed (or statement + detached signature) gitseal-approval/v1 text' })
  @IsString()
  @MaxLength(64 * 1024)
  approval!: string;
}

/** A decision as the API shows it: what was decided, why, and where it is in the ledger. */
function view(d: StoredDecision) {
  return {
    id: d.id,
    repository: d.repositoryId,
    sha: d.sha,
    decision: d.decision,
    reasons: d.reasons,
    warnings: d.warnings,
    mode: d.mode,
    decidedAt: d.decidedAt,
    trigger: d.trigger,
    policyDigest: d.policyDigest,
    inputHash: d.inputHash,
    gateSeq: d.gateSeq,
    evidence: d.evidence,
  };
}

@ApiTags('gate')
@ApiBearerAuth()
@Controller('api')
export class CommitsController {
  private readonly repo = new GateRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly approvals: PostedApprovalsService,
  ) {}

  @ApiOperation({ summary: 'Gate decisions, newest first (the current decision of each commit)' })
  @Roles('auditor', 'admin', 'security', 'gate', 'approver')
  @Get('commits')
  async list(@Query() q: CommitsQuery) {
    const rows = await this.repo.recent(this.dataSource.manager, { repositoryId: q.repository, decision: q.decision, limit: q.limit, before: q.before });
    return { commits: rows.map(view), next: rows.length === q.limit ? rows[rows.length - 1].id : null };
  }

  @ApiOperation({ summary: "A commit's current decision with its reasons and evidence, and earlier decisions" })
  @Roles('auditor', 'admin', 'security', 'gate', 'approver')
  @Get('commits/:sha')
  async get(@Param('sha') sha: string, @Query() q: CommitQuery) {
    if (!SHA.test(sha)) throw new DomainException('gate.invalid-request', 'invalid', 'sha must be a full lower-case commit sha');
    const history = await this.repo.history(this.dataSource.manager, q.repository ?? null, sha);
    if (history.length === 0) throw new NotFoundException(`no decision on commit ${sha}`);
    const repositories = new Set(history.map((h) => h.repositoryId));
    if (repositories.size > 1) {
      throw new DomainException('gate.invalid-request', 'invalid', `commit ${sha} was decided in several repositories (${[...repositories].join(', ')}): give ?repository=`);
    }
    const [current, ...earlier] = history;
    const input = q.input === 'true' && current.inputHash ? await this.repo.input(this.dataSource.manager, current.inputHash) : undefined;
    return { ...view(current), earlier: earlier.map(view), ...(input !== undefined ? { input } : {}) };
  }

  @ApiOperation({ summary: 'Post a signed approval (or seal) for a commit; the commit is decided again' })
  @Roles('approver')
  @Post('approvals')
  async approve(@Body() dto: PostApprovalDto, @Req() req: AuthenticatedRequest) {
    const result = await this.approvals.post(dto.repository, dto.commit, dto.approval, req.principal?.name ?? 'unknown');
    return { approvals: result.approvals, decision: result.decision ? view(result.decision) : null };
  }
}
