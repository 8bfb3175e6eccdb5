import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';

export class WaitQuery {
  @ApiPropertyOptional({ description: 'Answer when the sync has finished (200) instead of once it is queued (202)', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  wait?: 'true' | 'false';
}

export class RollbackDto {
  @ApiProperty({ description: 'Full sha of a commit the gate allowed: an ancestor of the branch head, or one the target was synced to' })
  @IsString()
  @Matches(/^[0-9a-f]{40}([0-9a-f]{24})?$/, { message: 'commit must be a full lower-case commit sha' })
  commit!: string;

  @ApiProperty({ description: 'Why (recorded in the ledger)', example: 'release 4.2 breaks checkout; back to 4.1' })
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

/** PATCH body: validated by the same schema as the configuration file (see target-settings.ts). */
export class SettingsPatchDoc {
  @ApiPropertyOptional() automated?: boolean;
  @ApiPropertyOptional() prune?: boolean;
  @ApiPropertyOptional() selfHeal?: boolean;
  @ApiPropertyOptional() forceConflicts?: boolean;
  @ApiPropertyOptional({ minimum: 1, maximum: 3600 }) healthTimeoutSeconds?: number;
  @ApiPropertyOptional({ description: 'Sync windows: [{kind: allow|deny, schedule: cron, duration: "1h", timeZone?: "UTC", manualSync?: false}]', type: 'array', items: { type: 'object' } }) windows?: unknown[];
  @ApiPropertyOptional({ description: 'ignoreDifferences: [{group?, kind?, name?, namespace?, jsonPointers?: [], managedFieldsManagers?: []}]', type: 'array', items: { type: 'object' } }) ignoreDifferences?: unknown[];
}
