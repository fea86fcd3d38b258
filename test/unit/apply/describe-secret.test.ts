/**
 * describe never shows the Mesos containerizer's registry secret, with or without the spec
 * label; it shows a controller's restart count as Restarts, never among the task's labels.
 */
import { describe, expect, it } from 'vitest';
import { describeTask } from '../../../src/apply/inspect.js';
import type { Task } from '../../../src/mesos/types.js';
import { observeTask } from '../../../src/model/observed.js';
import { formatDescribe } from '../../../src/ui/describe-view.js';

const data = Buffer.from('{"auths":{"r.example.com":{"auth":"c2VjcmV0"}}}').toString('base64');

function task(labels: { key: string; value: string }[] = []): Task {
  return {
    labels: { labels },
    name: 'app',
    task_id: { value: 'app.0.0123456789' },
    framework_id: { value: 'F' },
    agent_id: { value: 'S0' },
    state: 'TASK_RUNNING',
    resources: [],
    container: {
      type: 'MESOS',
      mesos: {
        image: { type: 'DOCKER', docker: { name: 'r.example.com/app:1', config: { type: 'VALUE', value: { data } } } },
      },
    },
  } as Task;
}

describe('describe: the registry secret of a Mesos container image', () => {
  it('is masked, and the task as read from the master is left as it was', () => {
    const t = task();
    const shown = describeTask({ observed: observeTask(t), task: t });
    expect(JSON.stringify(shown)).not.toContain(data);
    expect(shown.taskInfo.container?.mesos?.image?.docker?.config?.value?.data).toBe('<secret>');
    expect(t.container?.mesos?.image?.docker?.config?.value?.data).toBe(data);
  });
});

describe('describe: the restart counts a controller wrote on the task', () => {
  const ours = [
    { key: 'mesos-apply/name', value: 'app' },
    { key: 'mesos-apply/instance', value: '0' },
    { key: 'mesos-apply/spec-hash', value: '0123456789' },
    { key: 'team', value: 'edge' },
  ];

  it('are one Restarts line, not labels', () => {
    const t = task([...ours, { key: 'mesos-apply/restarts', value: '3' }, { key: 'mesos-apply/failures', value: '2' }]);
    const shown = describeTask({ observed: observeTask(t), task: t });
    expect(shown.restarts).toBe(3);
    const text = formatDescribe({ name: 'app', tasks: [shown] }, { color: false });
    expect(text).toMatch(/^ {2}Restarts: {3}3 /m);
    expect(text).toMatch(/Labels: .*team=edge/);
    expect(text).not.toContain('mesos-apply/restarts');
    expect(text).not.toContain('mesos-apply/failures');
  });

  it('are left out for a task launched without any', () => {
    const t = task(ours);
    const shown = describeTask({ observed: observeTask(t), task: t });
    expect(shown.restarts).toBeUndefined();
    expect(formatDescribe({ name: 'app', tasks: [shown] }, { color: false })).not.toContain('Restarts');
  });
});
