import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export const SANDBOX_CONTEXT = 'sandbox';

/** A kubeconfig document with one cluster, user and context, all named `sandbox`. */
export function kubeConfigDocument(url: string, token: string | undefined, namespace = 'default'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain HTTP unless TLS verification is explicitly off.
    clusters: [{ name: SANDBOX_CONTEXT, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: SANDBOX_CONTEXT, user: token ? { token } : {} }],
    contexts: [{ name: SANDBOX_CONTEXT, context: { cluster: SANDBOX_CONTEXT, user: SANDBOX_CONTEXT, namespace } }],
    'current-context': SANDBOX_CONTEXT,
    preferences: {},
  };
}

export function kubeConfigYaml(url: string, token: string | undefined): string {
  return stringify(kubeConfigDocument(url, token));
}

export function makeKubeConfig(url: string, token: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeConfigYaml(url, token));
  return kc;
}
