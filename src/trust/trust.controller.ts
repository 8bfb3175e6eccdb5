import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { DomainException } from '../common/domain.exception';
import type { AuthenticatedRequest } from '../auth/roles.guard';
import { Roles } from '../auth/roles';
import { TRUST_ROLES, type TrustRole } from '../verification/verification.types';
import type { TrustedKeySummary } from '../verification/trust-store';
import { TrustService } from './trust.service';

export class AddTrustKeyDto {
  @ApiProperty({ description: 'ASCII-armored OpenPGP public key (one key)' })
  @IsString()
  @MaxLength(256 * 1024)
  armoredKey!: string;

  @ApiProperty({ enum: TRUST_ROLES, isArray: true, example: ['committer'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TRUST_ROLES.length)
  @IsIn(TRUST_ROLES, { each: true })
  roles!: TrustRole[];

  @ApiPropertyOptional({ description: 'Start of the validity window (ISO 8601), checked against commit time' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  validFrom?: Date;

  @ApiPropertyOptional({ description: 'End of the validity window (ISO 8601)' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  validUntil?: Date;
}

export class RevokeTrustKeyDto {
  @ApiProperty({ example: 'laptop lost' })
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

@ApiTags('trust')
@ApiBearerAuth()
@Controller('api/trust/keys')
export class TrustController {
  constructor(private readonly trust: TrustService) {}

  @ApiOperation({ summary: 'Trusted keys with roles, windows, expiry and revocations' })
  @Roles('security', 'admin', 'auditor')
  @Get()
  list(): TrustedKeySummary[] {
    return this.trust.list();
  }

  @ApiOperation({ summary: 'Trust a key with roles (recorded as trust.changed)' })
  @Roles('security')
  @Post()
  add(@Body() dto: AddTrustKeyDto, @Req() req: AuthenticatedRequest): Promise<TrustedKeySummary> {
    return this.trust.add(dto, req.principal?.name ?? 'unknown');
  }

  @ApiOperation({ summary: 'Revoke a trusted key from now on (recorded as trust.changed)' })
  @Roles('security')
  @Post(':fingerprint/revoke')
  @HttpCode(200)
  revoke(@Param('fingerprint') fingerprint: string, @Body() dto: RevokeTrustKeyDto, @Req() req: AuthenticatedRequest): Promise<TrustedKeySummary> {
    return this.trust.revoke(checkFingerprint(fingerprint), dto.reason, req.principal?.name ?? 'unknown');
  }
}

function checkFingerprint(value: string): string {
  const upper = value.toUpperCase();
  if (!/^[0-9A-F]{40}([0-9A-F]{24})?$/.test(upper)) {
    throw new DomainException('trust.invalid-fingerprint', 'invalid', 'a key fingerprint is 40 (v4) or 64 (v6) hexadecimal digits');
  }
  return upper;
}
