import { describe, expect, it } from 'vitest';
import { createProgress, progressMode } from '../../../src/ui/progress.js';
import { fakeClock, fakeWriter, item, NOT_NOW_FIT, plan, view } from './builders.js';

async function plainRun(pendingEverySeconds?: number) {
  const out = fakeWriter();
  const err = fakeWriter();
  const clock = fakeClock();
  const p = await createProgress(
    { stdout: out, stderr: err },
    { mode: 'plain', color: false, now: clock.now, pendingEverySeconds },
  );
  return { out, err, clock, p };
}

describe('plain progress', () => {
  it('writes one timestamped line per phase change', async () => {
    const { out, err, clock, p } = await plainRun();
    p.emit({ type: 'connecting', masters: ['http://127.0.0.1:5050'] });
    p.emit({ type: 'subscribed', frameworkId: 'fw-1', leader: '127.0.0.1:5050', reconnected: false });
    p.emit({ type: 'planned', plan: plan([item({ action: 'create', name: 'nginx' })]) });
    p.emit({ type: 'instance', view: view({ name: 'nginx', phase: 'waiting-offer' }) });
    clock.advance(1);
    p.emit({ type: 'instance', view: view({ name: 'nginx', phase: 'launching', agentId: 'a1', host: 'localhost' }) });
    p.emit({ type: 'instance', view: view({ name: 'nginx', phase: 'launching', agentId: 'a1', host: 'localhost' }) });
    p.emit({ type: 'instance', view: view({ name: 'nginx', phase: 'staging', agentId: 'a1', host: 'localhost' }) });
    clock.advance(2);
    p.emit({
      type: 'instance',
      view: view({
        name: 'nginx',
        phase: 'running',
        agentId: 'a1',
        host: 'localhost',
        ports: [{ name: 'http', hostPort: 31000 }],
      }),
    });
    p.emit({ type: 'warning', message: 'offers from agent a2 were rescinded' });
    await p.close();
    expect(out.text().split('\n')).toEqual([
      '2026-11-25T23:41:09Z connecting to http://127.0.0.1:5050',
      '2026-11-25T23:41:09Z subscribed as framework fw-1 (leader 127.0.0.1:5050)',
      '2026-11-25T23:41:09Z Plan: 1 to create, 0 to replace, 0 to delete, 0 unchanged.',
      '2026-11-25T23:41:09Z nginx/0 waiting for an offer',
      '2026-11-25T23:41:10Z nginx/0 launching on agent a1 (host localhost)',
      '2026-11-25T23:41:10Z nginx/0 staging on agent a1 (host localhost)',
      '2026-11-25T23:41:12Z nginx/0 running on agent a1 (host localhost, ports 31000)',
      '',
    ]);
    expect(err.text()).toBe('2026-11-25T23:41:12Z warning: offers from agent a2 were rescinded\n');
  });

  it('prints a failure with state, reason, source, message and agent', async () => {
    const { out, p } = await plainRun();
    p.emit({
      type: 'instance',
      view: view({
        name: 'web',
        phase: 'failed',
        agentId: 'a1',
        host: 'h1',
        failure: {
          state: 'TASK_FAILED',
          reason: 'REASON_COMMAND_EXECUTOR_FAILED',
          source: 'SOURCE_EXECUTOR',
          message: 'Command exited with status 1',
        },
      }),
    });
    expect(out.text()).toBe(
      '2026-11-25T23:41:09Z web/0 failed: TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED, from SOURCE_EXECUTOR): Command exited with status 1 — on agent a1 (host h1)\n',
    );
  });

  it('throttles "still waiting" lines per instance', async () => {
    const { out, clock, p } = await plainRun(5);
    const pending = (key: string) => p.emit({ type: 'pending', key, reasons: NOT_NOW_FIT.reasons, fit: NOT_NOW_FIT });
    pending('web/0');
    clock.advance(1);
    pending('web/0');
    pending('api/0');
    clock.advance(3.9);
    pending('web/0');
    clock.advance(0.1);
    pending('web/0');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toEqual([
      '2026-11-25T23:41:09Z web/0 still waiting (no room free right now): needs cpus 1, mem 128, port 8080 — top reasons: port 8080 is taken on all 5 offers',
      '2026-11-25T23:41:10Z api/0 still waiting (no room free right now): needs cpus 1, mem 128, port 8080 — top reasons: port 8080 is taken on all 5 offers',
      '2026-11-25T23:41:14Z web/0 still waiting (no room free right now): needs cpus 1, mem 128, port 8080 — top reasons: port 8080 is taken on all 5 offers',
    ]);
  });

  it('shows the top three reasons, most frequent first, even without a fit report', async () => {
    const { out, p } = await plainRun();
    p.emit({
      type: 'pending',
      key: 'x/0',
      reasons: [
        { reason: 'mem', count: 1, detail: '1 offer has less than mem 512' },
        { reason: 'cpus', count: 4, detail: '4 offers have less than cpus 2' },
        { reason: 'role', count: 2, detail: '2 offers are for other roles (web), none for *' },
        { reason: 'ports', count: 3, detail: 'port 80 is taken on 3 offers' },
      ],
    });
    expect(out.text()).toBe(
      '2026-11-25T23:41:09Z x/0 still waiting for an offer: top reasons: 4 offers have less than cpus 2; port 80 is taken on 3 offers; 2 offers are for other roles (web), none for *\n',
    );
  });
});

describe('json and quiet progress', () => {
  it('writes nothing at all during the run', async () => {
    for (const mode of ['json', 'quiet'] as const) {
      const out = fakeWriter();
      const err = fakeWriter();
      const p = await createProgress({ stdout: out, stderr: err }, { mode, color: false, now: fakeClock().now });
      p.emit({ type: 'planned', plan: plan([item({ action: 'create', name: 'nginx' })]) });
      p.emit({ type: 'instance', view: view({ name: 'nginx', phase: 'running' }) });
      p.emit({ type: 'warning', message: 'w' });
      await p.close();
      expect(out.text() + err.text()).toBe('');
    }
  });
});

describe('progressMode', () => {
  const base = { isTTY: true, env: {}, output: 'text' as const, quiet: false };
  it('uses listr2 on a terminal', () => expect(progressMode(base)).toBe('tty'));
  it('uses plain lines when not a terminal', () => expect(progressMode({ ...base, isTTY: false })).toBe('plain'));
  it('uses plain lines in CI even on a terminal', async () => {
    expect(progressMode({ ...base, env: { CI: 'true' } })).toBe('plain');
    expect(progressMode({ ...base, env: { CI: 'false' } })).toBe('tty');
    expect(progressMode({ ...base, env: { TERM: 'dumb' } })).toBe('plain');
  });
  it('prints nothing during the run with --quiet', () => expect(progressMode({ ...base, quiet: true })).toBe('quiet'));
  it('keeps stdout for the document with -o json, whatever else is set', async () => {
    expect(progressMode({ ...base, output: 'json' })).toBe('json');
    expect(progressMode({ ...base, output: 'json', quiet: true, isTTY: false, env: { CI: 'true' } })).toBe('json');
  });
});
