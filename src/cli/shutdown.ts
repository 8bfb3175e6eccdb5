import type { INestApplication } from '@nestjs/common';

/** Resolves once SIGINT or SIGTERM has closed the application (used by long-running commands). */
export function closeOnSignal(app: INestApplication): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void app.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
