import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { RolesGuard } from './roles.guard';
import { TokenService } from './token.service';
import { TokensController } from './tokens.controller';

@Module({
  providers: [
    { provide: TokenService, useFactory: (ds: DataSource) => new TokenService(ds), inject: [DataSource] },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  controllers: [TokensController],
  exports: [TokenService],
})
export class AuthModule {}
