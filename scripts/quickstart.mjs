#!/usr/bin/env node
// The README journey, end to end: start the local cluster on a free port, then run every
// line of the README's walk-through shell block (the one that starts `mesos-apply local &`)
// in a scratch copy of manifests/, stop the cluster. Exits non-zero if any line does not
// exit as the README says (0, or the code its comment names: `# exit 3: ...`).
//
// The README parsing is exported for test/e2e/journey.test.ts, which runs every shell
// block of the README the same way.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(
  REPO,
  JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).bin['mesos-apply'],
);

/**
 * The Node binary that runs the CLI: MESOS_APPLY_TEST_NODE when set (scripts/test.mjs
 * runs the end-to-end tests on other Node versions with it), else the Node running this.
 */
export const NODE = process.env.MESOS_APPLY_TEST_NODE || process.execPath;

/** Lines a reader runs once to set up, which the runners replace: install, alias, the cluster. */
const SETUP = [/^npm /, /^alias mesos-apply=/, /^mesos-apply local(\s|$)/];

/**
 * The fenced ```sh blocks of a Markdown text, in order: their lines, the `## ` heading they sit
 * under, the 1-based line of the fence, and whether an HTML comment right above the fence says
 * `<!-- journey: not run ... -->` (commands that need a real Mesos cluster).
 * @param {string} markdown
 * @returns {{heading: string, line: number, notRun: boolean, lines: string[]}[]}
 */
export function shellBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let heading = '';
  let current;
  lines.forEach((text, i) => {
    if (current === undefined && /^## /.test(text)) heading = text.slice(3).trim();
    if (current === undefined && /^```sh\s*$/.test(text)) {
      current = { heading, line: i + 1, notRun: /<!--\s*journey: not run/.test(lines[i - 1] ?? ''), lines: [] };
    } else if (current !== undefined && /^```\s*$/.test(text)) {
      blocks.push(current);
      current = undefined;
    } else if (current !== undefined) {
      current.lines.push(text);
    }
  });
  return blocks;
}

/** Where a shell comment starts: a `#` at the start or after whitespace, outside quotes; -1 if none. */
function commentStart(text) {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return i;
    }
  }
  return -1;
}

/**
 * One line of a shell block: the command without its comment, the exit code the comment
 * promises (`exit N`; 0 when it names none), and whether it is a set-up line.
 * @param {string} text
 * @returns {{command: string, comment: string, expectedCode: number, setup: boolean} | undefined}
 */
export function parseLine(text) {
  const at = commentStart(text);
  const command = (at < 0 ? text : text.slice(0, at)).trim();
  if (command === '') return undefined;
  const comment = at < 0 ? '' : text.slice(at + 1).trim();
  const code = /\bexit (\d+)\b/.exec(comment);
  return { command, comment, expectedCode: code ? Number(code[1]) : 0, setup: SETUP.some((re) => re.test(command)) };
}

/** A directory holding a `mesos-apply` executable that runs the built CLI with this node. */
export function binDir(parent) {
  const dir = path.join(parent, 'bin');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'mesos-apply');
  writeFileSync(file, `#!/bin/sh\nexec "${NODE}" "${BIN}" "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}

/** Runs one shell line with `sh -c`, `mesos-apply` on the PATH; resolves with its exit code and output. */
export function runShellLine(command, { cwd, env, bin, echo = false }) {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: { ...process.env, ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The README's walk-through: the shell block that starts the local cluster. */
export function journeyBlock(markdown) {
  const block = shellBlocks(markdown).find((b) => b.lines.some((l) => parseLine(l)?.command === 'mesos-apply local &'));
  if (block === undefined) throw new Error('README.md has no shell block with `mesos-apply local &`');
  return block;
}

function startCluster(work) {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, 'local', '--port', '0', '--work-dir', path.join(work, 'cluster')], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /master listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('close', (code) => reject(new Error(`mesos-apply local exited (${code}) before listening:\n${out}`)));
  });
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'mesos-apply-quickstart-'));
  const scratch = path.join(work, 'repo');
  cpSync(path.join(REPO, 'manifests'), path.join(scratch, 'manifests'), { recursive: true });
  cpSync(path.join(REPO, 'schemas'), path.join(scratch, 'schemas'), { recursive: true });
  const bin = binDir(work);
  const { child, url } = await startCluster(work);
  console.log(`local cluster: ${url} (sandboxes under ${work}); running the README journey in ${scratch}`);
  // The cluster is fresh and ours: the default framework, and no credentials from the caller's shell.
  // (spawn leaves out variables whose value is undefined)
  const env = {
    MESOS_MASTER: url,
    MESOS_APPLY_FRAMEWORK: 'mesos-apply',
    MESOS_PRINCIPAL: undefined,
    MESOS_SECRET: undefined,
    MESOS_SECRET_FILE: undefined,
    MESOS_CA_FILE: undefined,
  };
  let failed = false;
  for (const text of journeyBlock(readFileSync(path.join(REPO, 'README.md'), 'utf8')).lines) {
    const line = parseLine(text);
    if (line === undefined || line.setup) continue;
    process.stdout.write(`\n$ ${line.command}\n`);
    const { code } = await runShellLine(line.command, { cwd: scratch, env, bin, echo: true });
    if (code !== line.expectedCode) {
      console.error(`\nquickstart: \`${line.command}\` exited ${code}, expected ${line.expectedCode}`);
      failed = true;
      break;
    }
  }
  child.kill('SIGINT');
  await new Promise((r) => child.on('close', r));
  console.log(failed ? '\nquickstart failed' : '\nquickstart done: every step did what the README says');
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  await main();
