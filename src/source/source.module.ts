import { Module, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.schema';
import { FILE_CONFIG, type GitsealFileConfig, type RepositoryConfig } from '../config/gitseal-file';
import { GitMirror } from './git-mirror.adapter';
import { SourceService } from './source.service';
import { MIRROR_FACTORY, REPOSITORIES, SOURCE_OPTIONS, type MirrorFactory, type SourceOptions } from './source.tokens';
import { WebhookController } from './webhook.controller';
import { WebhookGuard } from './webhook.guard';
import { WebhookService } from './webhook.service';

export interface SourceModuleOptions {
  /** The repositories to guard; default: those of the configuration file (FILE_CONFIG). */
  repositories?: RepositoryConfig[];
  /** Default: a GitMirror per repository under `<dataDir>/mirrors`. */
  mirrorFactory?: MirrorFactory;
  options?: SourceOptions;
}

/** Mirrors, polling and webhooks. Needs APP_CONFIG, CLOCK and MetricsService from the application. */
@Module({})
export class SourceModule {
  static forRoot(options: SourceModuleOptions = {}): DynamicModule {
    return {
      module: SourceModule,
      global: true,
      controllers: [WebhookController],
      providers: [
        {
          provide: REPOSITORIES,
          inject: [FILE_CONFIG],
          useFactory: (file: GitsealFileConfig) => options.repositories ?? file.repositories,
        },
        {
          provide: MIRROR_FACTORY,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): MirrorFactory =>
            options.mirrorFactory ?? ((repository) => new GitMirror({ dataDir: config.dataDir, repository })),
        },
        { provide: SOURCE_OPTIONS, useValue: options.options ?? {} },
        SourceService,
        WebhookService,
        WebhookGuard,
      ],
      exports: [SourceService],
    };
  }
}
