import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { SandboxApiServer } from '../sandbox';

/**
 * The embedded default: targets that say `cluster: { sandbox: true }` use one sandbox API server
 * started in this process, its objects kept in the data folder. Only for demos and `npm start`
 * on embedded defaults; a real cluster is always a kubeconfig or in-cluster credentials.
 */
export class EmbeddedSandbox {
  private constructor(private readonly server: SandboxApiServer) {}

  static async start(dataDir: string): Promise<EmbeddedSandbox> {
    const { startSandboxApiServer } = await import('../sandbox');
    return new EmbeddedSandbox(await startSandboxApiServer({ stateFile: join(dataDir, 'sandbox-state.json') }));
  }

  get url(): string {
    return this.server.url;
  }

  kubeConfig(): KubeConfig {
    return this.server.kubeConfig();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
