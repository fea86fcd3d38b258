// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the manifest syntax under test, not a JS template
/**
 * Environments end to end: the built CLI with `-k` overlays and `--var` / `--var-file` /
 * MESOS_APPLY_VAR_*, on the repository's examples/environments, against a local cluster this
 * file starts. Staging and production go to two frameworks of the one cluster and must end
 * with different instance counts; bad variables stop the run before anything is sent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import { runCli } from '../support/cli.js';
import { tasksNamed, testCluster } from '../support/cluster.js';

const STAGING = 'examples/environments/overlays/staging';
const PRODUCTION = 'examples/environments/overlays/production';
const VARS = 'examples/environments/production.vars.yaml';
// No master listens here: a run that got as far as connecting would fail with exit 1, not 2.
const NO_MASTER = { MESOS_MASTER: 'http://127.0.0.1:1' };

let cluster: LocalCluster;
beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { MESOS_MASTER: cluster.url, ...env } });

describe('one set of manifests, two environments', () => {
  it('applies staging and production to two frameworks, with their own instance counts; delete -k removes one', async () => {
    const staging = await cli(['-k', STAGING], { MESOS_APPLY_FRAMEWORK: 'env-staging' });
    expect(staging.code, staging.stdout + staging.stderr).toBe(0);
    const production = await cli(['-k', PRODUCTION, '--var-file', VARS], { MESOS_APPLY_FRAMEWORK: 'env-production' });
    expect(production.code, production.stdout + production.stderr).toBe(0);

    const running = async (name: string) =>
      (await tasksNamed(cluster.url, name)).active.filter((t) => t.state === 'TASK_RUNNING').length;
    expect(await running('staging-web')).toBe(1);
    expect(await running('prod-web')).toBe(3);

    const get = await cli(['get', '-o', 'json'], { MESOS_APPLY_FRAMEWORK: 'env-production' });
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('prod-web');
    expect(get.stdout).not.toContain('staging-web');

    const plan = await cli(['plan', '-k', PRODUCTION, '--var-file', VARS, '--detailed-exitcode'], {
      MESOS_APPLY_FRAMEWORK: 'env-production',
    });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const more = await cli(
      ['plan', '-k', PRODUCTION, '--var-file', VARS, '--var', 'replicas=4', '--detailed-exitcode'],
      {
        MESOS_APPLY_FRAMEWORK: 'env-production',
      },
    );
    expect(more.code, more.stdout + more.stderr).toBe(3);
    expect(more.stdout).toMatch(/prod-web\/3\s+create/);

    const del = await cli(['delete', '-k', STAGING], { MESOS_APPLY_FRAMEWORK: 'env-staging' });
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(await running('staging-web'), del.stdout + del.stderr).toBe(0);
    expect(await running('prod-web')).toBe(3);
    expect(more.stdout).toContain(
      `mesos-apply -k ${PRODUCTION} --var-file ${VARS} --var replicas=4 --framework env-production\n`,
    );
  });
});

describe('variables through the CLI', () => {
  it('--var wins over --var-file, which wins over MESOS_APPLY_VAR_*', async () => {
    const instances = async (args: string[], env: Record<string, string> = {}) => {
      const r = await runCli(['render', '-k', PRODUCTION, '-o', 'json', ...args], { env });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { formatVersion: number; manifests: { spec: { instances: number } }[] };
      expect(doc.formatVersion).toBe(1);
      return doc.manifests[0].spec.instances;
    };
    const env = { MESOS_APPLY_VAR_replicas: '2' };
    expect(await instances([], env)).toBe(2);
    expect(await instances(['--var-file', VARS], env)).toBe(3);
    expect(await instances(['--var-file', VARS, '--var', 'replicas=5'], env)).toBe(5);
  });

  it('render prints the overlay as YAML, typed values unquoted', async () => {
    const r = await runCli(['render', '-k', PRODUCTION, '--var', 'replicas=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('  name: prod-web\n  labels:\n    environment: production\n');
    expect(r.stdout).toContain('  instances: 2\n');
    expect(r.stdout).toContain('    GREETING: hello\n');
  });

  it('an undefined variable stops apply with exit 2 at its file:line:col, nothing sent', async () => {
    const r = await runCli(['-k', PRODUCTION], { env: NO_MASTER });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${PRODUCTION}/web.yaml:4:14: spec.instances: variable replicas is not defined`);
    expect(r.stderr).toContain('nothing was sent to the master');
  });

  it('a bad value points at the variable that gave it: the flag, or the --var-file line', async () => {
    const flag = await runCli(['plan', '-k', PRODUCTION, '--var', 'replicas=0'], { env: NO_MASTER });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--var replicas=0: spec.instances: must be >= 1');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mesos-apply-vars-')), 'bad.vars.yaml');
    writeFileSync(file, '# too few\nreplicas: none\n');
    const fromFile = await runCli(['validate', '-k', PRODUCTION, '--var-file', file]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`${file}:2:11: spec.instances: must be a whole number, not the string "none"`);
  });

  it('--var works with -f too, and -k excludes -f', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-vars-'));
    const f = path.join(dir, 'task.yaml');
    writeFileSync(
      f,
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: "${name}"}\nspec:\n  instances: ${n:-1}\n  command: sleep 1\n  resources: {cpus: 0.1, mem: 32}\n',
    );
    const ok = await runCli(['validate', '-f', f, '--var', 'name=svc', '-o', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, names: ['svc'] });
    const both = await runCli(['validate', '-f', f, '-k', PRODUCTION]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exclude each other');
  });
});
