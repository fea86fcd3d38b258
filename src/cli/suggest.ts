/**
 * Did-you-mean for a rejected command line: a word that is no command (`log`, `diff`,
 * `status`: the words of kubectl, Terraform and Nomad), or a manifest given without `-f`.
 * Pure: (argv, command names) → one hint line, or undefined when there is nothing to say.
 */

/** Words other tools use for what a command of ours does. */
const SYNONYMS: Record<string, string> = {
  diff: 'plan',
  status: 'get',
  ls: 'get',
  list: 'get',
  ps: 'get',
  show: 'describe',
  inspect: 'describe',
  rm: 'delete',
  remove: 'delete',
  kill: 'delete',
  stop: 'delete',
  destroy: 'delete',
  up: 'apply',
  deploy: 'apply',
  run: 'apply',
  lint: 'validate',
  check: 'validate',
};

const MANIFEST = /\.(ya?ml|json)$|\/$|^-$/;

/** What the first words of argv meant, if they were a slip; undefined otherwise. */
export function suggestion(argv: readonly string[], commands: readonly string[]): string | undefined {
  const words = argv.filter((a, i) => !a.startsWith('-') && !TAKES_VALUE.test(argv[i - 1] ?? ''));
  const first = words[0];
  if (first === undefined) return undefined;
  const isCommand = commands.includes(first);
  const file = (isCommand ? words[1] : first) ?? '';
  if (!isCommand) {
    const near =
      SYNONYMS[first] ?? commands.find((c) => first.length >= 3 && (c.startsWith(first) || first.startsWith(c)));
    if (near) return `'${first}' is not a command; did you mean 'mesos-apply ${near}'? (mesos-apply --help lists them)`;
  }
  if (MANIFEST.test(file)) {
    const cmd = isCommand ? `${first} ` : '';
    return `manifests are given with -f: did you mean 'mesos-apply ${cmd}-f ${file}'?`;
  }
  if (!isCommand) return `'${first}' is not a command (mesos-apply --help lists them; apply takes manifests with -f)`;
  return undefined;
}

/** Flags whose next word is their value, not a positional. */
const TAKES_VALUE =
  /^(-[fol]|--(filename|output|selector|master|framework|principal|secret-file|ca-file|timeout|pending-timeout|min-running|failover-timeout|tail|instance|port|listen|agents|resources|attributes|work-dir|allocation-interval|offer-timeout|agent-ping-timeout|max-agent-ping-timeouts))$/;
