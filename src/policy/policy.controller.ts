import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '../auth/roles.guard';
import { Roles } from '../auth/roles';
import { PolicyService, type PolicySetInfo } from './policy.service';

@ApiTags('policy')
@ApiBearerAuth()
@Controller('api/policy')
export class PolicyController {
  constructor(private readonly policies: PolicyService) {}

  @ApiOperation({ summary: 'The policy set in force: kind, source and digest' })
  @Roles('security', 'admin', 'auditor', 'gate')
  @Get()
  current(): PolicySetInfo {
    return this.policies.current().info;
  }

  @ApiOperation({ summary: 'Load the policies again (a set that does not load leaves the current one in force)' })
  @Roles('security')
  @Post('reload')
  @HttpCode(200)
  reload(@Req() req: AuthenticatedRequest): Promise<PolicySetInfo> {
    return this.policies.reload(req.principal?.name ?? 'unknown');
  }
}
