/**
 * The README cannot drift from the tool: every line of README.md's ```sh blocks runs here, in
 * README order, with `sh -c` and the built CLI on the PATH as `mesos-apply`, against a local
 * cluster this file starts on a free port, and must exit as the README says (0, or the code
 * its comment names: `# exit 3: ...`).
 *
 * How README lines map to what runs:
 * - `npm ci && ...`, `alias mesos-apply=...` and `mesos-apply local &` are set-up lines: the
 *   build is done before the suite, `mesos-apply` is a tiny script on the PATH, and the cluster
 *   is the one this file starts (MESOS_MASTER points at it instead of 127.0.0.1:5050).
 * - Each block runs in a fresh scratch directory holding a copy of the repository's
 *   `manifests/` and `examples/` (so `sed -i` edits the copy), with its own framework name
 *   (MESOS_APPLY_FRAMEWORK=readme-<n>), so blocks cannot disturb each other.
 * - The GitOps block runs in a scratch "repository" whose `manifests/` has a service and, in a
 *   sub-directory, a job (the repository's own examples need Docker and secrets), twice: as
 *   written, then again after one manifest is removed, to see `--prune` delete its task.
 * - A block preceded by `<!-- journey: not run ... -->` needs a real Mesos cluster: its lines
 *   are not run, but every flag they use must exist in `mesos-apply <command> --help`.
 * - The `run:` steps of ```yaml blocks (the CI workflow) must be commands run here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { binDir, parseLine, REPO, runShellLine, shellBlocks } from '../../scripts/quickstart.mjs';
import { runCli } from '../support/cli.js';
import { tasksNamed, testCluster } from '../support/cluster.js';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const work = mkdtempSync(path.join(tmpdir(), 'mesos-apply-journey-'));
const bin = binDir(work);
let cluster: LocalCluster;

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
});

const GITOPS = 'GitOps: mesos-apply in CI';

function scratch(name: string, heading: string): string {
  const dir = path.join(work, name);
  if (heading === GITOPS) {
    mkdirSync(path.join(dir, 'manifests/batch'), { recursive: true });
    cpSync(path.join(REPO, 'manifests/hello.yaml'), path.join(dir, 'manifests/hello.yaml'));
    const job =
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: report}\nspec:\n  goal: finished\n  command: echo report done\n  resources: {cpus: 0.1, mem: 32}\n';
    writeFileSync(path.join(dir, 'manifests/batch/report.yaml'), job);
  } else {
    cpSync(path.join(REPO, 'manifests'), path.join(dir, 'manifests'), { recursive: true });
    cpSync(path.join(REPO, 'examples'), path.join(dir, 'examples'), { recursive: true });
  }
  return dir;
}

/**
 * What some README lines must also print (beyond their exit code), by command and by how many
 * times that command ran before. Every entry must be used: a README change shows up here.
 */
const CHECKS: Record<string, (r: Ran, nth: number) => void> = {
  'mesos-apply validate -f manifests/': (r) => expect(r.stdout).toContain('3 tasks valid'),
  'mesos-apply -f manifests/hello.yaml': (r, nth) =>
    expect(r.stdout).toMatch(nth === 0 ? /hello\/0\s+create\s+running/ : /hello\/0\s+replace\s+running/),
  'mesos-apply get': (r) => expect(r.stdout).toMatch(/hello\s+1\/1\s+0\s+RUNNING/),
  'mesos-apply logs hello': (r) => expect(r.stdout).toContain('starting'),
  'mesos-apply plan -f manifests/hello.yaml --detailed-exitcode': (r) => {
    expect(r.stdout).toMatch(/~ hello\/0\s+replace/);
    expect(r.stdout).toContain('→ "echo starting; while true; do echo hello again; sleep 5; done"');
  },
  // apply waits out the 10s minHealthyTime, so a third line may have come by now.
  'mesos-apply logs hello --tail 2': (r) => expect(r.stdout).toMatch(/^(starting|hello again)\nhello again\n$/),
  'mesos-apply logs hello --previous --tail 2': (r) => {
    expect(r.stdout).toContain('helloWorld');
    expect(r.stdout).not.toContain('hello again');
  },
  'mesos-apply get --all-states': (r) => {
    expect(r.stdout).toMatch(/hello\s+0\s+KILLED\s+-\s+localhost\s+-\s+-/);
    expect(r.stdout).toMatch(/hello\s+0\s+RUNNING/);
  },
  'mesos-apply describe hello': (r) => {
    expect(r.stdout).toContain('TASK_KILLED');
    expect(r.stdout).toContain(
      "Command:    /bin/sh -c 'echo starting; while true; do echo hello again; sleep 5; done'",
    );
  },
  'mesos-apply delete hello': (r) => expect(r.stdout).toContain('Delete complete: 1 deleted.'),
  'mesos-apply -f manifests/hello.yaml --failover-timeout 0': (r) => expect(r.stderr).toContain('--failover-timeout 0'),
  'mesos-apply plan -f manifests/ -R --prune --detailed-exitcode || [ $? -eq 3 ]': (r, nth) =>
    expect(r.stdout).toContain(
      nth === 0
        ? 'Plan: 2 to create, 0 to replace, 0 to delete'
        : 'Plan: 0 to create, 0 to replace, 1 to delete, 1 unchanged.',
    ),
  'mesos-apply render -k examples/environments/overlays/staging': (r) =>
    expect(r.stdout).toMatch(/name: staging-web\n[\s\S]*instances: 1\n/),
  'mesos-apply validate -k examples/environments/overlays/production': (r) =>
    expect(r.stderr).toContain('production/web.yaml:4:14: spec.instances: variable replicas is not defined'),
  'mesos-apply get --framework production': (r) => {
    expect(r.stdout).toMatch(/prod-web\s+3\/3\s+2\s+RUNNING/);
    expect(r.stdout).not.toContain('staging-web');
  },
  'mesos-apply -f manifests/ -R --prune': (r, nth) =>
    expect(r.stdout).toContain(
      nth === 0 ? 'Apply complete: 1 running, 1 finished.' : 'Apply complete: 1 deleted, 1 unchanged.',
    ),
};

/** `mesos-apply <command> --help` for the command word of a line (apply when none). */
const helpCache = new Map<string, string>();
async function helpOf(words: string[]): Promise<string> {
  const commands = ['apply', 'plan', 'get', 'logs', 'describe', 'delete', 'validate', 'render', 'local', 'completion'];
  const word = words.slice(1).find((w) => !w.startsWith('-') && commands.includes(w)) ?? 'apply';
  if (!helpCache.has(word)) helpCache.set(word, (await runCli([word, '--help'])).stdout);
  return helpCache.get(word) ?? '';
}

async function checkFlagsExist(command: string): Promise<void> {
  const words = command.split(/\s+/);
  const help = await helpOf(words);
  for (const w of words.filter((x) => /^--?[a-zA-Z]/.test(x))) {
    const flag = w.split('=')[0] ?? w;
    const pattern = flag.startsWith('--') ? new RegExp(`${flag}\\b`) : new RegExp(`\\s${flag},`);
    expect(help, `README flag ${flag} of \`${command}\``).toMatch(pattern);
  }
}

describe('README.md', () => {
  const ran: string[] = [];
  const times = new Map<string, number>();
  const usedChecks = new Set<string>();

  async function runBlock(lines: string[], cwd: string, framework: string): Promise<void> {
    const env = {
      MESOS_MASTER: cluster.url,
      MESOS_APPLY_FRAMEWORK: framework,
      CI: 'true',
      NO_COLOR: '1',
      MESOS_PRINCIPAL: undefined,
      MESOS_SECRET: undefined,
      MESOS_SECRET_FILE: undefined,
    };
    for (const text of lines) {
      const line = parseLine(text);
      if (line === undefined || line.setup) continue;
      const r: Ran = await runShellLine(line.command, { cwd, env, bin });
      expect(r.code, `\`${line.command}\` (README: ${line.comment})\n${r.stdout}\n${r.stderr}`).toBe(line.expectedCode);
      const nth = times.get(line.command) ?? 0;
      times.set(line.command, nth + 1);
      const check = CHECKS[line.command];
      if (check !== undefined) {
        check(r, nth);
        usedChecks.add(line.command);
      }
      ran.push(line.command);
    }
  }

  it('has the set-up lines the runners replace, and nothing else is skipped', () => {
    const setup = shellBlocks(README).flatMap((b) =>
      b.lines
        .map(parseLine)
        .filter((l) => l?.setup)
        .map((l) => l?.command),
    );
    expect(setup).toEqual([
      'npm ci && npm run quickstart',
      'npm ci && npm test',
      'npm ci && npm run build',
      'alias mesos-apply="node $PWD/dist/cli/mesos-apply.cjs"',
      'mesos-apply local &',
    ]);
    // Manifests: docker/nginx.yaml needs an engine that can pull nginx:1.27 (test/e2e/docker.test.ts runs it).
    expect(
      shellBlocks(README)
        .filter((b) => b.notRun)
        .map((b) => b.heading),
    ).toEqual(['Connecting to a real cluster', 'The local cluster', 'Manifests']);
  });

  it('runs every command of its shell blocks, in order, as the README says', async () => {
    const blocks = shellBlocks(README);
    for (const [i, block] of blocks.entries()) {
      if (block.notRun) {
        for (const l of block.lines.map(parseLine))
          if (l?.command.startsWith('mesos-apply ')) await checkFlagsExist(l.command);
        continue;
      }
      const cwd = scratch(`block-${i}`, block.heading);
      await runBlock(block.lines, cwd, `readme-${i}`);
      if (block.heading !== GITOPS) continue;
      // The main-branch apply made the cluster match: the pull-request plan has nothing to show.
      const again = await runShellLine('mesos-apply plan -f manifests/ -R --prune --detailed-exitcode', {
        cwd,
        env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: `readme-${i}` },
        bin,
      });
      expect(again.code, again.stdout + again.stderr).toBe(0);
      // A merged pull request removes a manifest: the same lines delete its task.
      rmSync(path.join(cwd, 'manifests/hello.yaml'));
      await runBlock(block.lines, cwd, `readme-${i}`);
      expect((await tasksNamed(cluster.url, 'hello')).active).toEqual([]);
    }
    expect([...usedChecks].sort()).toEqual(Object.keys(CHECKS).sort());
    expect(ran.length).toBeGreaterThan(12);

    // The CI workflow's steps are commands that ran above.
    const yamlRuns = [...README.matchAll(/^\s*(?:- )?run: (mesos-apply .*?)\s*(?:#.*)?$/gm)].map((m) => m[1]);
    expect(yamlRuns.length).toBeGreaterThanOrEqual(3);
    for (const cmd of yamlRuns) expect(ran, `CI step \`${cmd}\``).toContain(cmd);
  }, 180_000);
});
