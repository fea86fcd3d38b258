import path from 'node:path';
import { defineCommand } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { parseDuration, type GlobalOptions } from '../options.js';
import type { AgentProfileGroup } from '../../local/agent-profile.js';
import type { LocalCluster } from '../../local/index.js';
import { type LocalArgs, localFlags } from './flags.js';

export const localCommand = defineCommand({
  command: 'local',
  describe: 'Run a single-node Mesos-compatible cluster in the foreground (real processes, or --simulate)',
  examples: [
    ['$0 local', 'master on 127.0.0.1:5050 with one agent'],
    ['$0 local --agents 3 --attributes rack:r1', 'three agents'],
    ['$0 local --agents 1000 --simulate --agent-profile racks.yaml', 'a thousand simulated agents'],
  ],
  builder: localFlags,
  run: runLocal,
});

function usage(io: Io, globals: GlobalOptions, code: string, message: string): number {
  if (globals.output === 'json') io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
  else io.stderr.write(`mesos-apply local: ${message}\n`);
  return EXIT.USAGE;
}

function durationMs(text: unknown): number | undefined | null {
  if (text === undefined) return undefined;
  const s = parseDuration(String(text));
  return s === undefined ? null : Math.round(s * 1000);
}

async function loadProfile(io: Io, file: string | undefined): Promise<AgentProfileGroup[] | undefined> {
  if (file === undefined) return undefined;
  const { readFile } = await import('node:fs/promises');
  const { AgentProfileError, parseAgentProfile } = await import('../../local/agent-profile.js');
  const text = await readFile(path.resolve(io.cwd, file), 'utf8').catch((e: Error) => {
    throw new AgentProfileError(`--agent-profile ${file}: ${e.message}`);
  });
  return parseAgentProfile(text, file);
}

async function runLocal(args: LocalArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const agents = args.agents;
  if (!Number.isInteger(agents) || agents < 1)
    return usage(io, globals, 'MA_ERR_USAGE', `--agents must be a whole number ≥ 1, got ${String(args.agents)}`);
  const allocationIntervalMs = durationMs(args.allocationInterval);
  const offerTimeoutMs = durationMs(args.offerTimeout);
  if (!allocationIntervalMs)
    return usage(io, globals, 'MA_ERR_USAGE', `invalid --allocation-interval '${args.allocationInterval}'`);
  if (offerTimeoutMs === null)
    return usage(io, globals, 'MA_ERR_USAGE', `invalid --offer-timeout '${args.offerTimeout}'`);
  const agentPingTimeoutMs = durationMs(args.agentPingTimeout);
  if (!agentPingTimeoutMs)
    return usage(io, globals, 'MA_ERR_USAGE', `invalid --agent-ping-timeout '${args.agentPingTimeout}'`);
  const maxAgentPingTimeouts = args.maxAgentPingTimeouts;
  if (!Number.isInteger(maxAgentPingTimeouts) || maxAgentPingTimeouts < 1)
    return usage(
      io,
      globals,
      'MA_ERR_USAGE',
      `--max-agent-ping-timeouts must be a whole number ≥ 1, got ${String(args.maxAgentPingTimeouts)}`,
    );
  const startDelayMs = durationMs(args.startDelay);
  const stopDelayMs = durationMs(args.stopDelay);
  if (startDelayMs === null) return usage(io, globals, 'MA_ERR_USAGE', `invalid --start-delay '${args.startDelay}'`);
  if (stopDelayMs === null) return usage(io, globals, 'MA_ERR_USAGE', `invalid --stop-delay '${args.stopDelay}'`);
  let cluster: LocalCluster;
  try {
    // Loaded here: every other command starts faster without the local cluster's modules.
    const { startLocalCluster } = await import('../../local/index.js');
    const agentProfile = await loadProfile(io, args.agentProfile);
    cluster = await startLocalCluster({
      port: args.port,
      listen: args.listen,
      agents,
      resources: args.resources,
      attributes: args.attributes,
      workDir: path.resolve(io.cwd, args.workDir ?? '.local-cluster'),
      allocationIntervalMs,
      offerTimeoutMs,
      agentPingTimeoutMs,
      maxAgentPingTimeouts,
      simulate: args.simulate ? { startDelayMs, stopDelayMs } : undefined,
      agentProfile,
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'MA_ERR_LOCAL_FLAGS') return usage(io, globals, err.code, err.message);
    const what = err.code === 'EADDRINUSE' ? `port ${String(args.port)} is in use` : err.message;
    io.stderr.write(`mesos-apply local: could not start: ${what}\n`);
    return EXIT.FAILED;
  }
  const kind = args.simulate ? ' simulated' : '';
  io.stdout.write(
    `mesos-apply local: master listening on ${cluster.url} with ${cluster.agents.length}${kind} agent(s)\n`,
  );
  const listed = cluster.agents.length > 20 ? cluster.agents.slice(0, 3) : cluster.agents;
  for (const a of listed) io.stdout.write(`  agent ${a.id} on http://${a.pid.split('@')[1]}\n`);
  if (listed.length < cluster.agents.length)
    io.stdout.write(`  ... and ${cluster.agents.length - listed.length} more\n`);
  if (args.simulate) io.stdout.write(`  simulation control: POST ${cluster.url}/local/simulate\n`);
  io.stdout.write(`  work dir ${cluster.workDir} (sandboxes are kept on exit)\n`);
  const signal = await io.interrupted;
  io.stderr.write(`mesos-apply local: ${signal}, stopping tasks and agents...\n`);
  await cluster.close();
  return EXIT.OK;
}
