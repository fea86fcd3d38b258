/**
 * The agent's `flags`, as its `/state` reports them: the flags a Mesos 1.12 agent shows
 * (recorded in ../shared/fixtures/real-mesos), with Mesos's defaults for the settings of
 * features this agent does not have (cgroups, appc, perf: reported as Mesos reports them
 * when unused), directories rooted in this agent's work dir, and the values that describe
 * what it really does: posix launcher, no user switching (tasks run as the current user),
 * Docker (and the images of Mesos containers) through the `docker` CLI, its own address,
 * port and resources.
 */

/** What the flags are computed from: the agent's own settings, nothing of its tasks. */
export interface AgentFlagsInput {
  workDir: string;
  port: number;
  /** The docker CLI the agent uses. */
  docker: string;
  /** `--resources` as text: `cpus:2;mem:2048;ports:[31000-32000]`. */
  resourcesText: string;
  ip: string;
}

export function agentFlags(a: AgentFlagsInput): Record<string, string> {
  return {
    appc_simple_discovery_uri_prefix: 'http://',
    appc_store_dir: `${a.workDir}/store/appc`,
    authenticate_http_readonly: 'false',
    authenticate_http_readwrite: 'false',
    authenticatee: 'crammd5',
    authentication_backoff_factor: '1secs',
    authentication_timeout_max: '1mins',
    authentication_timeout_min: '5secs',
    authorizer: 'local',
    cgroups_cpu_enable_pids_and_tids_count: 'false',
    cgroups_destroy_timeout: '1mins',
    cgroups_enable_cfs: 'false',
    cgroups_hierarchy: '/sys/fs/cgroup',
    cgroups_limit_swap: 'false',
    cgroups_root: 'mesos',
    container_disk_watch_interval: '15secs',
    default_role: '*',
    disallow_sharing_agent_ipc_namespace: 'false',
    disallow_sharing_agent_pid_namespace: 'false',
    disk_watch_interval: '1mins',
    docker_ignore_runtime: 'false',
    docker_kill_orphans: 'true',
    docker_registry: 'https://registry-1.docker.io',
    docker_remove_delay: '6hrs',
    docker_socket: '/var/run/docker.sock',
    docker_stop_timeout: '0ns',
    docker_store_dir: `${a.workDir}/store/docker`,
    docker_volume_checkpoint_dir: `${a.workDir}/run/isolators/docker/volume`,
    docker_volume_chown: 'false',
    enforce_container_disk_quota: 'false',
    executor_registration_timeout: '1mins',
    executor_reregistration_timeout: '2secs',
    executor_shutdown_grace_period: '5secs',
    fetcher_cache_dir: `${a.workDir}/fetch`,
    fetcher_cache_size: '2GB',
    fetcher_stall_timeout: '1mins',
    frameworks_home: '',
    gc_delay: '1weeks',
    gc_disk_headroom: '0.1',
    gc_non_executor_container_sandboxes: 'false',
    help: 'false',
    hostname_lookup: 'true',
    http_command_executor: 'false',
    http_executor_domain_sockets: 'false',
    http_heartbeat_interval: '30secs',
    initialize_driver_logging: 'true',
    // Images for Mesos containers run on the Docker engine too: a Mesos agent with
    // --image_providers=docker refuses to start without these two isolators.
    image_providers: 'docker',
    isolation: 'posix/cpu,posix/mem,filesystem/linux,docker/runtime',
    launcher: 'posix',
    logbufsecs: '0',
    logging_level: 'INFO',
    max_completed_executors_per_framework: '150',
    memory_profiling: 'false',
    network_cni_metrics: 'true',
    network_cni_root_dir_persist: 'false',
    oversubscribed_resources_interval: '15secs',
    perf_duration: '10secs',
    perf_interval: '1mins',
    qos_correction_interval_min: '0ns',
    quiet: 'false',
    reconfiguration_policy: 'equal',
    recover: 'reconnect',
    recovery_timeout: '15mins',
    registration_backoff_factor: '1secs',
    revocable_cpu_low_priority: 'true',
    runtime_dir: `${a.workDir}/run`,
    sandbox_directory: '/mnt/mesos/sandbox',
    strict: 'true',
    systemd_enable_support: 'false',
    systemd_runtime_directory: '/run/systemd/system',
    version: 'false',
    zk_session_timeout: '10secs',
    containerizers: 'docker,mesos',
    docker: a.docker,
    ip: a.ip,
    launcher_dir: a.workDir,
    log_dir: a.workDir,
    master: 'in-process',
    port: String(a.port),
    resources: a.resourcesText,
    switch_user: 'false',
    work_dir: a.workDir,
  };
}
