import { afterEach, describe, expect, it } from 'vitest';
import { createProgress, type Progress } from '../../../src/ui/progress.js';
import { stripAnsi } from '../../../src/ui/ansi.js';
import { fakeClock, fakeWriter, item, NOT_NOW_FIT, plan, view } from './builders.js';

let open: Progress | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('tty progress (listr2 default renderer into a fake terminal)', () => {
  it('draws one line per instance and ends with the final titles', async () => {
    const out = fakeWriter(true);
    const err = fakeWriter(true);
    const p = (open = createProgress({ stdout: out, stderr: err }, { mode: 'tty', color: false, now: fakeClock().now }));
    p.emit({ type: 'planned', plan: plan([item({ action: 'create', name: 'web' }), item({ action: 'unchanged', name: 'db' }), item({ action: 'create', name: 'big' })]) });
    await new Promise((r) => setImmediate(r));
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'waiting-offer' }) });
    p.emit({ type: 'pending', key: 'web/0', reasons: NOT_NOW_FIT.reasons, fit: NOT_NOW_FIT });
    await new Promise((r) => setTimeout(r, 150));
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'staging', agentId: 'a1', host: 'h1' }) });
    p.emit({ type: 'instance', view: view({ name: 'web', phase: 'running', agentId: 'a1', host: 'h1', ports: [31000] }) });
    p.emit({ type: 'instance', view: view({ name: 'big', phase: 'unplaceable', failure: { fit: NOT_NOW_FIT } }) });
    await p.close();
    const text = stripAnsi(out.text());
    expect(text).toContain('web/0 running on agent a1 (host h1, ports 31000)');
    expect(text).toContain('db/0 unchanged');
    expect(text).toContain('big/0 cannot be placed: no room free right now');
    expect(text).toContain('port 8080 is taken on all 5 offers');
  });
});
