import { isJsonObject, type JsonObject, type KubeObject } from '../kube/kube-object';
import { specOf, statusOf, text } from './health-fields';
import type { Health } from './health.types';

const BAD_WAITING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName', 'CreateContainerError', 'RunContainerError']);

function containerStatuses(status: JsonObject): JsonObject[] {
  const all = [status.initContainerStatuses, status.containerStatuses];
  return all.flatMap((l) => (Array.isArray(l) ? l.filter(isJsonObject) : []));
}

export function podHealth(obj: KubeObject): Health {
  const status = statusOf(obj);
  const phase = text(status.phase);
  for (const c of containerStatuses(status)) {
    const waiting = isJsonObject(c.state) && isJsonObject(c.state.waiting) ? c.state.waiting : undefined;
    if (waiting && BAD_WAITING.has(text(waiting.reason))) return { status: 'Degraded', message: `container ${text(c.name)}: ${text(waiting.reason)}${waiting.message ? `: ${text(waiting.message)}` : ''}` };
  }
  if (phase === 'Succeeded') return { status: 'Healthy', message: 'the Pod completed' };
  if (phase === 'Failed') return { status: 'Degraded', message: text(status.message) || 'the Pod failed' };
  if (phase === 'Running') {
    if (specOf(obj).restartPolicy === 'Never' || specOf(obj).restartPolicy === 'OnFailure') return { status: 'Progressing', message: 'the Pod is running' };
    const containers = Array.isArray(status.containerStatuses) ? status.containerStatuses.filter(isJsonObject) : [];
    const unready = containers.filter((c) => c.ready !== true).map((c) => text(c.name));
    if (containers.length === 0 || unready.length > 0) return { status: 'Progressing', message: `containers not ready: ${unready.join(', ') || 'none reported'}` };
    return { status: 'Healthy' };
  }
  return { status: 'Progressing', message: `the Pod is ${phase || 'not scheduled yet'}` };
}
