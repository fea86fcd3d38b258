import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, runCli } from '../support/cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

describe('the CLI frame', () => {
  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command, an example each, and the exit codes in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of [
      'apply',
      'plan',
      'get [name]',
      'logs [name]',
      'describe <name>',
      'delete [names..]',
      'validate',
      'local',
    ]) {
      expect(r.stdout).toContain(`mesos-apply ${cmd}`);
    }
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^\s+2\s+bad usage/m);
    expect(r.stdout).toContain('mesos-apply logs hello');
  });

  it('answers an unknown flag with exit 2 and a pointer to --help', async () => {
    const r = await runCli(['get', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument: bogus');
    expect(r.stderr).toContain('mesos-apply get --help');
    expect(r.stdout).toBe('');
  });

  it('reports usage errors as JSON with -o json', async () => {
    const r = await runCli(['logs', '-o', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ formatVersion: 1, ok: false, errors: [{ code: 'MA_ERR_USAGE' }] });
  });

  it('refuses an unknown output format', async () => {
    const r = await runCli(['get', '-o', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-o xml');
  });

  it('refuses a malformed --timeout before doing anything', async () => {
    const r = await runCli(['get', '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout soon');
  });

  it('prints a shell completion script that asks the CLI for candidates', async () => {
    const r = await runCli(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _mesos_apply_complete mesos-apply');
    const c = await runCli(['--get-yargs-completions', 'mesos-apply', '']);
    expect(c.stdout.split('\n')).toEqual(expect.arrayContaining(['apply', 'plan', 'delete', 'validate', 'local']));
  });
});
