/** describe never shows the Mesos containerizer's registry secret, with or without the spec label. */
import { describe, expect, it } from 'vitest';
import { describeTask } from '../../../src/apply/inspect.js';
import type { Task } from '../../../src/mesos/types.js';
import { observeTask } from '../../../src/model/observed.js';

const data = Buffer.from('{"auths":{"r.example.com":{"auth":"c2VjcmV0"}}}').toString('base64');

function task(): Task {
  return {
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
