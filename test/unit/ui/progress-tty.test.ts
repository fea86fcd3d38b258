import { afterEach, describe, expect, it } from 'vitest';
import { stripAnsi } from '../../../src/ui/ansi.js';
import { createProgress, type Progress } from '../../../src/ui/progress.js';
import { fakeClock, fakeWriter, item, LEFT_RUNNING, NOT_NOW_FIT, plan, view, waitFor } from './builders.js';

let open: Progress | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('tty progress (listr2 default renderer into a fake terminal)', () => {
  it('redraws one line per instance, shows why a task waits, and ends with the final titles', async () => {
    const out = fakeWriter(true);
    const err = fakeWriter(true);
    const p = await createProgress({ stdout: out, stderr: err }, { mode: 'tty', color: false, now: fakeClock().now });
    open = p;
    p.emit({
      type: 'planned',
      plan: plan([
        item({ action: 'create', name: 'web' }),
        item({ action: 'unchanged', name: 'db' }),
        item({ action: 'create', name: 'big' }),
      ]),
    });
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'waiting-offer' }) });
    p.emit({ type: 'pending', key: 'web/0', reasons: NOT_NOW_FIT.reasons, fit: NOT_NOW_FIT });
    // The pending reasons appear as a sub-line under the waiting task while it waits.
    await waitFor(() => stripAnsi(out.text()).includes('top reasons: port 8080 is taken on all 5 offers'));
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'staging', agentId: 'a1', host: 'h1' }) });
    p.emit({
      type: 'instance',
      view: view({
        name: 'web',
        phase: 'running',
        agentId: 'a1',
        host: 'h1',
        ports: [{ name: 'http', hostPort: 31000 }],
      }),
    });
    p.emit({ type: 'instance', view: view({ name: 'big', phase: 'unplaceable', failure: { fit: NOT_NOW_FIT } }) });
    await p.close();
    const text = stripAnsi(out.text());
    const finalFrame = text.slice(text.lastIndexOf('web/0') - 2);
    expect(finalFrame).toContain('✔ web/0 running on agent a1 (host h1, ports 31000)');
    expect(text).toContain('✔ db/0 unchanged');
    expect(text).toContain('✖ big/0 cannot be placed: no room free right now');
    expect(err.text()).toBe('');
  });

  it('gives a line to instances first seen after the list started (next wave), and marks unfinished ones failed at close', async () => {
    const out = fakeWriter(true);
    const p = await createProgress(
      { stdout: out, stderr: fakeWriter(true) },
      { mode: 'tty', color: false, now: fakeClock().now },
    );
    open = p;
    p.emit({ type: 'instance', view: view({ name: 'a', phase: 'killing', action: 'delete' }) });
    await waitFor(() => out.text().includes('a/0 killing'));
    p.emit({ type: 'instance', view: view({ name: 'b', phase: 'killed', action: 'delete' }) });
    p.emit({ type: 'instance', view: view({ name: 'a', phase: 'staging', action: 'create' }) });
    await p.close();
    const text = stripAnsi(out.text());
    expect(text).toContain('✖ a/0 staging');
    expect(text).toContain('✔ b/0 killed');
  });

  it('shows a task Ctrl-C left running as skipped (↓), not failed', async () => {
    const out = fakeWriter(true);
    const p = await createProgress(
      { stdout: out, stderr: fakeWriter(true) },
      { mode: 'tty', color: false, now: fakeClock().now },
    );
    open = p;
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'staging', agentId: 'a1', host: 'h1' }) });
    p.emit({ type: 'instance', view: LEFT_RUNNING });
    await p.close();
    const text = stripAnsi(out.text());
    expect(text).toContain('↓ web/0 interrupted: TASK_RUNNING: interrupted after launch');
    expect(text).not.toContain('✖');
  });
});
