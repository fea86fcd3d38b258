/** The Mesos v1 wire layer: knows nothing of manifests. */
export * from './types.js';
export * from './errors.js';
export * from './recordio.js';
export * from './json64.js';
export * from './http.js';
export { proxyFromEnv, type ProxySettings } from './proxy-env.js';
export * from './masters.js';
export * from './calls.js';
export * from './session-machine.js';
export { SchedulerSession, SCHEDULER_PATH, DEFAULT_RECONNECT } from './scheduler.js';
export type { SchedulerSessionOptions, ReconnectOptions, Timers } from './scheduler.js';
export * from './operator.js';
export * from './agent-files.js';
