import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Length } from 'class-validator';
import type { AuthenticatedRequest } from './roles.guard';
import { ROLES, Roles, type Principal, type Role } from './roles';
import { TokenService, type CreatedToken, type TokenSummary } from './token.service';

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-pipeline' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['gate'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles!: Role[];
}

@ApiTags('access')
@ApiBearerAuth()
@Controller('api')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @ApiOperation({ summary: 'Create an API token; the token is in this response only' })
  @Roles('admin')
  @Post('tokens')
  create(@Body() dto: CreateTokenDto, @Req() req: AuthenticatedRequest): Promise<CreatedToken> {
    return this.tokens.create(dto.name, dto.roles, req.principal?.name ?? null);
  }

  @ApiOperation({ summary: 'List API tokens (never their secrets)' })
  @Roles('admin')
  @Get('tokens')
  list(): Promise<TokenSummary[]> {
    return this.tokens.list();
  }

  @ApiOperation({ summary: 'Revoke an API token' })
  @Roles('admin')
  @Delete('tokens/:id')
  @HttpCode(200)
  revoke(@Param('id') id: string): Promise<TokenSummary> {
    return this.tokens.revoke(id);
  }

  @ApiOperation({ summary: 'The caller: token name and roles' })
  @Roles('admin', 'security', 'auditor', 'approver', 'gate')
  @Get('whoami')
  whoami(@Req() req: AuthenticatedRequest): Principal | undefined {
    return req.principal;
  }
}
