import { existsSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll, framework, readSandbox, sandboxOf, shellTask, startAgent } from './helpers.js';

afterEach(cleanupAll);

describe('local agent: command tasks', () => {
  it('runs the shell form: STARTING, RUNNING, FINISHED with Mesos fields, output in the sandbox', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('job.0', 'echo job-done; echo oops >&2'));
    const finished = await h.master.waitForState('job.0', 'TASK_FINISHED');
    expect(h.master.states('job.0')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const s = finished.status;
    expect(s.message).toBe('Command exited with status 0');
    expect(s.source).toBe('SOURCE_EXECUTOR');
    expect(s.agent_id).toEqual({ value: 'M1-S0' });
    expect(s.executor_id).toEqual({ value: 'job.0' });
    expect(s.reason).toBeUndefined();
    expect(typeof s.timestamp).toBe('number');
    expect(s.timestamp! * 1000).toBeGreaterThan(Date.now() - 60_000);
    expect(s.container_status?.network_infos).toEqual([
      { ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] },
    ]);
    expect(s.container_status?.executor_pid).toBeGreaterThan(0);
    const uuid = Buffer.from(s.uuid!, 'base64');
    expect(uuid).toHaveLength(16);
    expect(uuid[6]! >> 4).toBe(4);
    expect(uuid[8]! >> 6).toBe(2);
    expect(finished.latestState).toBe('TASK_FINISHED');
    expect(readSandbox(h, 'job.0', 'stdout')).toBe('job-done\n');
    expect(readSandbox(h, 'job.0', 'stderr')).toBe('oops\n');
    const dir = sandboxOf(finished, h);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readlinkSync(join(dir, '..', 'latest'))).toBe(s.container_status!.container_id!.value);
  });

  it('runs the exec form with arguments as the full argv (argv[0] included)', async () => {
    const h = await startAgent();
    const task = shellTask('fails.0', '');
    const script = 'console.log(process.argv0 + " " + process.argv.slice(1).join(" ")); process.exit(3)';
    task.command = { shell: false, value: process.execPath, arguments: ['custom-argv0', '-e', script, 'first'] };
    h.agent.runTask(framework(), task);
    const failed = await h.master.waitForState('fails.0', 'TASK_FAILED');
    expect(failed.status.message).toBe('Command exited with status 3');
    expect(readSandbox(h, 'fails.0', 'stdout')).toBe('custom-argv0 first\n');
  });

  it('does not treat shell-form arguments as a command: /bin/sh -c value', async () => {
    const h = await startAgent();
    const task = shellTask('sh.0', 'echo "$0"');
    task.command!.arguments = ['ignored'];
    h.agent.runTask(framework(), task);
    await h.master.waitForState('sh.0', 'TASK_FINISHED');
    expect(readSandbox(h, 'sh.0', 'stdout')).toBe('sh\n');
  });

  it('reports signals with strsignal text', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('seg.0', 'kill -SEGV $$'));
    h.agent.runTask(framework(), shellTask('usr.0', 'kill -USR1 $$'));
    expect((await h.master.waitForState('seg.0', 'TASK_FAILED')).status.message).toBe(
      'Command terminated with signal Segmentation fault',
    );
    expect((await h.master.waitForState('usr.0', 'TASK_FAILED')).status.message).toBe(
      'Command terminated with signal User defined signal 1',
    );
  });

  it('a shell command that does not exist exits 127; an exec form that does not exist fails with status 1', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('nocmd.0', 'no-such-command-xyz'));
    const exec = shellTask('noexec.0', '');
    exec.command = { shell: false, value: '/no/such/program', arguments: ['prog'] };
    h.agent.runTask(framework(), exec);
    expect((await h.master.waitForState('nocmd.0', 'TASK_FAILED')).status.message).toBe(
      'Command exited with status 127',
    );
    expect((await h.master.waitForState('noexec.0', 'TASK_FAILED')).status.message).toBe(
      'Command exited with status 1',
    );
    expect(h.master.states('noexec.0')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(readSandbox(h, 'noexec.0', 'stderr')).toContain("Failed to execute '/no/such/program'");
  });

  it('sets the environment a Mesos agent sets, plus the TaskInfo variables, and no PORT0', async () => {
    const h = await startAgent();
    const task = shellTask('env.0', 'env');
    task.command!.environment = {
      variables: [
        { name: 'GREETING', type: 'VALUE', value: 'hello' },
        { name: 'HIDDEN', type: 'SECRET' },
      ],
    };
    h.agent.runTask(framework(), task);
    const done = await h.master.waitForState('env.0', 'TASK_FINISHED');
    const env = Object.fromEntries(
      readSandbox(h, 'env.0', 'stdout')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const dir = sandboxOf(done, h);
    expect(env['GREETING']).toBe('hello');
    expect(env['HIDDEN']).toBeUndefined();
    expect(env['MESOS_SANDBOX']).toBe(dir);
    expect(env['MESOS_DIRECTORY']).toBe(dir);
    expect(env['MESOS_FRAMEWORK_ID']).toBe('M1-0000');
    expect(env['MESOS_EXECUTOR_ID']).toBe('env.0');
    expect(env['MESOS_SLAVE_ID']).toBe('M1-S0');
    expect(env['MESOS_AGENT_ENDPOINT']).toBe(`127.0.0.1:${h.agent.port}`);
    expect(env['MESOS_SLAVE_PID']).toBe(`slave(1)@127.0.0.1:${h.agent.port}`);
    expect(env['MESOS_ALLOCATION_ROLE']).toBe('web');
    expect(env['MESOS_CHECKPOINT']).toBe('1');
    expect(env['PORT0']).toBeUndefined();
    expect(env['PWD']).toBe(dir);
  });

  it('gives every run of a reused task id a new container and re-points latest', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('re.0', 'echo one'));
    const first = await h.master.waitForState('re.0', 'TASK_FINISHED');
    await new Promise((r) => setTimeout(r, 20));
    h.agent.runTask(framework(), shellTask('re.0', 'echo two'));
    const second = await h.master.waitFor(
      (u) => u.status.task_id.value === 're.0' && u.status.state === 'TASK_FINISHED' && u !== first,
    );
    expect(second.status.container_status?.container_id).not.toEqual(first.status.container_status?.container_id);
    expect(readSandbox(h, 're.0', 'stdout')).toBe('two\n');
    expect(existsSync(join(sandboxOf(first, h), 'stdout'))).toBe(true);
  });

  it('fails a task that outlives max_completion_time, without TASK_KILLING', async () => {
    const h = await startAgent();
    h.agent.runTask(framework(), shellTask('slowjob.0', 'sleep 1000', { max_completion_time: { nanoseconds: 200e6 } }));
    const failed = await h.master.waitForState('slowjob.0', 'TASK_FAILED');
    expect(failed.status.reason).toBe('REASON_MAX_COMPLETION_TIME_REACHED');
    expect(h.master.states('slowjob.0')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
  });
});
