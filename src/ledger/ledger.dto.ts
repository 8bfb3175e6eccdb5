import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { LEDGER_ENTRY_TYPES, type LedgerEntryType } from './entry';

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

export class EntriesQuery {
  @ApiPropertyOptional({ description: 'First seq to return', default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  from = 0;

  @ApiPropertyOptional({ description: 'At most this many entries (1-1000)', default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;

  @ApiPropertyOptional({ description: 'Only entries of this type, e.g. gate.decided' })
  @IsOptional()
  @IsIn(LEDGER_ENTRY_TYPES as unknown as string[])
  type?: LedgerEntryType;

  @ApiPropertyOptional({ description: 'Only entries about this commit (full sha)' })
  @IsOptional()
  @Matches(/^[0-9a-f]{40}([0-9a-f]{24})?$/, { message: 'commit must be a full lower-case commit sha' })
  commit?: string;
}

export class InclusionQuery {
  @ApiProperty({ description: 'The entry to prove' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  seq!: number;

  @ApiPropertyOptional({ description: 'Tree size (default: the newest checkpoint)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SEQ)
  size?: number;
}

export class ConsistencyQuery {
  @ApiProperty({ description: 'The earlier tree size' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  from!: number;

  @ApiPropertyOptional({ description: 'The later tree size (default: the newest checkpoint)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  to?: number;
}

export class ExportQuery {
  @ApiProperty({ description: 'First seq of the range (inclusive)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  from!: number;

  @ApiProperty({ description: 'Last seq of the range (inclusive)' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  to!: number;
}
