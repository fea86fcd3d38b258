/**
 * The name a Mesos agent gives the command executor it synthesises for a task
 * (slave.cpp `getExecutorInfo`), shown in the agent's `/state`:
 *   `Command Executor (Task: svc.0) (Command: sh -c 'echo started...')`
 *   `Command Executor (Task: fails.0) (Command: [/bin/sh, /bi...])`
 * Values longer than 15 characters are cut to 12 and followed by "...".
 */
import type { TaskInfo } from '../../mesos/types.js';

function cut(text: string): string {
  return text.length > 15 ? `${text.slice(0, 12)}...` : text;
}

export function executorName(task: TaskInfo): string {
  const command = task.command ?? {};
  let name = `(Task: ${task.task_id.value}) `;
  if (command.shell !== false) {
    name += command.value === undefined ? '(Command: NO COMMAND)' : `(Command: sh -c '${cut(command.value)}')`;
  } else if (command.value === undefined) {
    name += '(Command: NO EXECUTABLE)';
  } else {
    name += `(Command: [${cut(`${command.value}, ${(command.arguments ?? []).join(', ')}`)}])`;
  }
  return `Command Executor ${name}`;
}
