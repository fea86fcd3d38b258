/**
 * Who we are to the master: client options (masters, credentials, TLS) from the global
 * flags, and the FrameworkInfo of the `--framework` namespace. One Mesos framework per
 * name, checkpointing, with a failover timeout that by default outlives anyone's memory
 * (its tasks outlive this process and never expire unattended); each run finds the
 * framework's id by name and re-subscribes with it, under the lease of lease.ts.
 */
import os from 'node:os';
import { loadCredentials } from '../mesos/http.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import type { FrameworkCapabilityType, FrameworkInfo, Label, OperatorFramework } from '../mesos/types.js';

/** How to reach the masters: from the global flags and their environment fallbacks. */
export interface ConnectionOptions {
  /** Master base URLs, in the order given. */
  masters: string[];
  principal?: string;
  /** Path of a file whose content is the secret (never the secret itself on argv). */
  secretFile?: string;
  /** The secret from the environment (MESOS_SECRET), when no file is given. */
  secretFromEnv?: string;
  caFile?: string;
  insecure: boolean;
}

/**
 * The longest failover timeout Mesos accepts, in seconds: stout's Duration::create(double)
 * (master/validation.cpp's validateFailoverTimeout) refuses `seconds * 1e9` above int64's
 * max nanoseconds, 2^63 ns ≈ 9,223,372,036.85 s ≈ 292 years. The master then arms a
 * libprocess timer with it, whose Timeout::in saturates instead of overflowing.
 */
export const MAX_FAILOVER_TIMEOUT = 2 ** 63 / 1e9;

/**
 * The default `--failover-timeout`: 9,000,000,000 s (≈285 years), i.e. the namespace lives
 * until it is deleted or torn down. 2.4% under the limit, so no rounding of the double on
 * its way (JSON, protobuf, the master's multiplication) can make the master refuse it.
 */
export const DEFAULT_FAILOVER_TIMEOUT = 9_000_000_000;

export function clientOptions(
  conn: ConnectionOptions,
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): MasterSetOptions {
  const auth = loadCredentials({ principal: conn.principal, secretFile: conn.secretFile, env });
  const opts: MasterSetOptions = { masters: conn.masters, warn };
  if (auth) opts.auth = auth;
  if (conn.caFile !== undefined || conn.insecure) opts.tls = { caFile: conn.caFile, insecure: conn.insecure };
  return opts;
}

export interface FrameworkInfoInput {
  name: string;
  roles: string[];
  failoverTimeout: number;
  gpus: boolean;
  principal?: string;
  existing?: OperatorFramework;
  /** The labels to subscribe with (the holder's and those the framework already had). */
  labels?: Label[];
}

/**
 * The roles are those the manifests use plus those the framework already had, so a run
 * that applies a subset of the manifests never drops a role that earlier tasks run in.
 */
export function frameworkInfo(input: FrameworkInfoInput): FrameworkInfo {
  const roles = [...new Set([...input.roles, ...(input.existing?.framework_info.roles ?? [])])].sort();
  const capabilities: FrameworkCapabilityType[] = ['MULTI_ROLE', 'TASK_KILLING_STATE', 'PARTITION_AWARE'];
  if (input.gpus) capabilities.push('GPU_RESOURCES');
  const info: FrameworkInfo = {
    user: input.existing?.framework_info.user ?? os.userInfo().username,
    name: input.name,
    roles: roles.length > 0 ? roles : ['*'],
    capabilities: capabilities.map((type) => ({ type })),
    checkpoint: true,
    failover_timeout: input.failoverTimeout,
    hostname: os.hostname(),
  };
  if (input.existing) info.id = input.existing.framework_info.id;
  if (input.principal !== undefined) info.principal = input.principal;
  if (input.labels !== undefined) info.labels = { labels: input.labels };
  return info;
}
