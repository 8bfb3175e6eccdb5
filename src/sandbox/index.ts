export { startSandboxApiServer, type SandboxApiServer, type SandboxOptions } from './sandbox-server';
export type { SandboxFaults, RequestMatch, FaultAction, Availability } from './faults';
export type { SandboxControllers } from './controllers/workload-controller';
export { FAIL_ANNOTATION } from './controllers/workload-controller';
export type { RequestRecord, RequestLog } from './request-log';
export type { KubeObject, JsonObject, JsonValue } from './sandbox.types';
export { SANDBOX_CONTEXT } from './kubeconfig';
