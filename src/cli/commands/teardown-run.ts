/**
 * The teardown command's body: show what will be killed, ask (or require --yes), send the
 * operator TEARDOWN and wait until the framework is gone. Exit 0 removed, 1 nothing to
 * remove or not gone in time, 2 not confirmed (nothing sent), 130 interrupted.
 */
import { errorOf } from '../../apply/errors.js';
import { describeTeardown, teardownFrameworks, teardownTargets } from '../../apply/teardown.js';
import { OperatorClient } from '../../mesos/operator.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';
import type { TeardownArgs } from './flags.js';
import { clientOrReport, printErrors } from './support.js';

export async function runTeardownCommand(args: TeardownArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const conn = clientOrReport(globals, io);
  if (!conn) return EXIT.FAILED;
  const name = globals.framework;
  const json = globals.output === 'json';
  const operator = new OperatorClient(conn);
  try {
    const id = args.frameworkId;
    const plan = await teardownTargets(operator, name, id);
    if (plan.nothing !== undefined) {
      if (json)
        io.stdout.write(`${JSON.stringify({ ok: false, framework: name, removed: [], nothing: plan.nothing })}\n`);
      else io.stderr.write(`nothing to tear down: ${plan.nothing}\n`);
      return EXIT.FAILED;
    }
    if (!json) io.stdout.write(describeTeardown(name, plan));
    if (args.yes !== true) {
      if (!io.ask) {
        const message = 'refusing to tear down without --yes: there is no terminal to ask (nothing was sent)';
        if (json) io.stdout.write(`${JSON.stringify({ error: { code: 'MA_ERR_USAGE', message } })}\n`);
        else io.stderr.write(`error: ${message}\n`);
        return EXIT.USAGE;
      }
      const answer = await io.ask(`Type the framework name ('${name}') to tear it down: `);
      if (answer.trim() !== name) {
        io.stderr.write('not confirmed: nothing was sent\n');
        return EXIT.USAGE;
      }
    }
    const ids = plan.targets.map((t) => t.frameworkId);
    const left = await teardownFrameworks(operator, ids, {
      deadline: Date.now() + globals.timeout * 1000,
      now: Date.now,
      interrupted: io.interrupted,
    });
    const removed = ids.filter((x) => !left.includes(x));
    if (json)
      io.stdout.write(
        `${JSON.stringify({ ok: left.length === 0, framework: name, removed, left, targets: plan.targets })}\n`,
      );
    else {
      for (const x of removed) io.stdout.write(`framework '${name}' (${x}) removed; its tasks are being killed\n`);
      for (const x of left) io.stderr.write(`error: framework '${name}' (${x}) is still registered after --timeout\n`);
    }
    return left.length === 0 ? EXIT.OK : EXIT.FAILED;
  } catch (e) {
    printErrors([errorOf(e)], globals, io);
    return EXIT.FAILED;
  } finally {
    await operator.close().catch(() => undefined);
  }
}
