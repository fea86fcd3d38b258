import { describe, expect, it } from 'vitest';
import { localFlagTip } from '../../../src/ui/words.js';

const needs = { role: '*', cpus: 64, mem: 32, disk: 0, gpus: 0, fixedPorts: [8080], anyPorts: 0 };
const reason = (r: 'cpus' | 'ports' | 'constraint' | 'mem') => ({ reason: r, count: 1, detail: '' });

describe('localFlagTip: a task that fits no agent says which flag of mesos-apply local makes room', () => {
  it('names --resources with what is missing, ports outside the ranges included', () => {
    expect(localFlagTip({ kind: 'never', needs, reasons: [reason('cpus'), reason('ports')] })).toBe(
      "on `mesos-apply local`, start it with --resources 'cpus:64;ports:[8080-8080,31000-32000]'",
    );
  });

  it('names --agents for a constraint, and says nothing for a task that only waits for room', () => {
    expect(localFlagTip({ kind: 'never', needs, reasons: [reason('constraint')] })).toContain('--agents N');
    expect(localFlagTip({ kind: 'not-now', needs, reasons: [reason('cpus')] })).toBeUndefined();
  });
});
