import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../../src/ui/ansi.js';
import { formatReport, reportJson, type ReportInput } from '../../../src/ui/report.js';
import { UNREACHABLE_KILL } from '../../../src/apply/tracker.js';
import { LEFT_RUNNING, NEVER_FIT, view } from './builders.js';

const running = view({
  name: 'web',
  phase: 'running',
  state: 'TASK_RUNNING',
  agentId: 'a1',
  host: 'h1',
  ports: [{ name: 'web', hostPort: 31000 }],
});
const healthy = view({
  name: 'web',
  instance: 1,
  phase: 'healthy',
  state: 'TASK_RUNNING',
  healthy: true,
  agentId: 'a2',
  host: 'h2',
  ports: [{ name: 'web', hostPort: 31001 }],
});
const unchanged = view({
  name: 'db',
  phase: 'unchanged',
  action: 'unchanged',
  state: 'TASK_RUNNING',
  agentId: 'a1',
  host: 'h1',
});
const failed = view({
  name: 'api',
  phase: 'failed',
  state: 'TASK_FAILED',
  agentId: 'a1',
  host: 'h1',
  failure: {
    state: 'TASK_FAILED',
    reason: 'REASON_COMMAND_EXECUTOR_FAILED',
    source: 'SOURCE_EXECUTOR',
    message: 'Command exited with status 1',
    healthy: false,
    agentId: 'a1',
    stderrTail: ['starting', 'Error: cannot bind to port 80'],
  },
});
const neverLaunched = view({ name: 'big', phase: 'unplaceable', failure: { fit: NEVER_FIT } });

const input = (instances: ReportInput['instances'], extra: Partial<ReportInput> = {}): ReportInput => ({
  command: 'apply',
  framework: 'mesos-apply',
  instances,
  ...extra,
});

describe('formatReport', () => {
  it('summarises an all-ok apply as a table and a final line', () => {
    const text = formatReport(input([running, healthy, unchanged]), { color: false });
    expect(text).toBe(
      [
        'TASK    ACTION      OUTCOME     STATE          HOST   PORTS',
        'web/0   create      running     TASK_RUNNING   h1     31000',
        'web/1   create      healthy     TASK_RUNNING   h2     31001',
        'db/0    unchanged   unchanged   TASK_RUNNING   h1     -',
        '',
        'Apply complete: 1 running, 1 healthy, 1 unchanged.',
        '',
      ].join('\n'),
    );
  });

  it('gives each failure a block with state, reason, message, source, agent, health and the stderr tail', () => {
    const text = formatReport(input([failed]), { color: false });
    expect(text).toContain(
      [
        '✖ api/0 failed',
        '    state:    TASK_FAILED',
        '    reason:   REASON_COMMAND_EXECUTOR_FAILED',
        '    message:  Command exited with status 1',
        '    source:   SOURCE_EXECUTOR',
        '    agent:    a1 (host h1)',
        '    healthy:  false',
        '    stderr (last 2 lines):',
        '      | starting',
        '      | Error: cannot bind to port 80',
      ].join('\n'),
    );
    expect(text).not.toContain('Partial outcome');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Apply failed: 1 failed.');
  });

  it('reports a partial outcome: what runs, what failed, what was never launched, and that a rerun is safe', () => {
    const text = formatReport(input([running, failed, neverLaunched]), { color: false });
    expect(text).toContain(
      [
        'Partial outcome:',
        '  running (1):          web/0',
        '  failed (1):           api/0',
        '  never launched (1):   big/0',
        'Re-running the same command is safe: tasks already running are left as they are.',
      ].join('\n'),
    );
    expect(text).toContain(
      '✖ big/0 never launched: fits no agent at all\n    needs cpus 4, mem 2048\n    3 agents lack rack=r2\n',
    );
    expect(text.trimEnd().split('\n').at(-1)).toBe('Apply failed: 1 running, 1 failed, 1 never launched.');
  });

  it('reports tasks on unreachable agents of a delete as such, and the errors with their codes', () => {
    const gone = view({ name: 'web', phase: 'killed', action: 'delete', state: 'TASK_KILLED' });
    const stuck = view({
      name: 'web',
      instance: 1,
      phase: 'unreachable',
      action: 'delete',
      state: 'TASK_UNREACHABLE',
      agentId: 'a9',
      host: 'h9',
      // Settled with why: still "unreachable", not "failed" (its task may come back running).
      failure: { state: 'TASK_UNREACHABLE', message: UNREACHABLE_KILL },
    });
    const text = formatReport(
      {
        command: 'delete',
        framework: 'f',
        instances: [gone, stuck],
        errors: [{ code: 'MA_ERR_TIMEOUT', message: 'gave up after 60s', detail: 'raise --timeout' }],
      },
      { color: false },
    );
    expect(text).toContain('web/1   delete   agent unreachable   TASK_UNREACHABLE   h9');
    expect(text).toContain('if the agent returns, the task runs again (delete it again then)');
    expect(text).toContain('  deleted (1):       web/0\n  unreachable (1):   web/1');
    expect(text).toContain('Re-running the same command is safe: tasks already gone are skipped.');
    expect(text).toContain('Errors:\n  MA_ERR_TIMEOUT: gave up after 60s\n    raise --timeout');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Delete failed: 1 deleted, 1 agent unreachable, 1 error.');
  });

  it('lists a task Ctrl-C left running as such, not as failed', () => {
    const text = formatReport(input([running, LEFT_RUNNING]), { color: false });
    expect(text).toContain('web/0   create   left running (interrupted)   TASK_RUNNING   h1');
    expect(text).toContain(
      '! web/0 left running (interrupted)\n    state:    TASK_RUNNING\n    message:  interrupted after launch',
    );
    expect(text).not.toContain('✖');
    expect(text).toContain('  left running (1):   web/0');
    expect(reportJson(input([LEFT_RUNNING])).instances[0]?.outcome).toBe('left-running');
  });

  it('colours only when asked', () => {
    const plainText = formatReport(input([running, failed]), { color: false });
    const coloured = formatReport(input([running, failed]), { color: true });
    expect(plainText).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[31m');
    expect(stripAnsi(coloured)).toBe(plainText);
  });
});

describe('reportJson', () => {
  it('has stable fields per instance, nulls for what is absent', () => {
    const doc = reportJson(input([running, failed, neverLaunched]));
    expect(doc.ok).toBe(false);
    expect(doc.command).toBe('apply');
    expect(doc.framework).toBe('mesos-apply');
    expect(doc.errors).toEqual([]);
    expect(doc.instances[0]).toEqual({
      name: 'web',
      instance: 0,
      action: 'create',
      outcome: 'running',
      taskId: 'web.0.h1',
      oldTaskId: null,
      state: 'TASK_RUNNING',
      healthy: null,
      agentId: 'a1',
      host: 'h1',
      ports: [{ name: 'web', hostPort: 31000 }],
      phase: 'running',
      failure: null,
    });
    expect(doc.instances[1]?.failure).toEqual({
      state: 'TASK_FAILED',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      source: 'SOURCE_EXECUTOR',
      message: 'Command exited with status 1',
      healthy: false,
      agentId: 'a1',
      host: null,
      stderrTail: ['starting', 'Error: cannot bind to port 80'],
      fit: null,
    });
    expect(doc.instances[2]?.outcome).toBe('not-launched');
    expect(doc.instances[2]?.failure?.fit).toEqual({
      kind: 'never',
      summary: NEVER_FIT.summary,
      reasons: NEVER_FIT.reasons,
    });
  });

  it('is ok only when every instance succeeded and there is no error', () => {
    expect(reportJson(input([running, unchanged])).ok).toBe(true);
    expect(reportJson(input([running], { errors: [{ code: 'MA_ERR_X', message: 'm' }] })).ok).toBe(false);
    expect(reportJson(input([view({ name: 'w', phase: 'staging' })])).ok).toBe(false);
  });
});
