import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ReconcilerException } from '../reconciler.exception';
import type { ClusterConfig } from '../target-settings';

/**
 * The KubeConfig of a target's cluster: a kubeconfig file (and context), the default kubeconfig
 * (KUBECONFIG or ~/.kube/config) with a context, the pod's service account, or the embedded
 * sandbox. Credentials stay inside client-node; nothing here logs them.
 */
export function loadKubeConfig(cluster: ClusterConfig, sandbox?: () => KubeConfig): KubeConfig {
  if (cluster.sandbox) {
    if (!sandbox) throw new ReconcilerException('kube-config', 'the embedded sandbox API server is not running');
    return sandbox();
  }
  const kc = new KubeConfig();
  try {
    if (cluster.inCluster) kc.loadFromCluster();
    else if (cluster.kubeconfig) {
      if (!existsSync(cluster.kubeconfig)) throw new Error(`kubeconfig ${cluster.kubeconfig} does not exist`);
      kc.loadFromFile(cluster.kubeconfig);
    } else kc.loadFromDefault();
    if (cluster.context) {
      if (!kc.getContextObject(cluster.context)) throw new Error(`the kubeconfig has no context ${JSON.stringify(cluster.context)}`);
      kc.setCurrentContext(cluster.context);
    }
  } catch (err) {
    throw new ReconcilerException('kube-config', `cannot load the cluster configuration: ${(err as Error).message}`);
  }
  if (!kc.getCurrentCluster()) throw new ReconcilerException('kube-config', 'the kubeconfig names no current cluster');
  return kc;
}
