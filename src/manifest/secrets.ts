/**
 * Secrets in a task's identity: a change in a `fromEnv` value must replace the task (else
 * a rotated secret never reaches it), yet the value must never be printed nor be
 * recoverable from what mesos-apply stores on the master (task ids, labels).
 *
 * Each `fromEnv` value becomes a digest: scrypt(value, salt = framework name and variable
 * name), 8 bytes as hex. The digests join the spec hash (so the task id changes with the
 * value) and travel as a task label (so the next plan can say which secret changed).
 *
 * Why this salt: the digest must be the same for the same value on every run and every
 * machine, or each apply would replace every task with a secret; so the salt cannot be
 * random or local, and mesos-apply has no stored key to use. The framework and variable
 * names are stable and shared, and they make a digest useless for comparing across
 * frameworks or variables (no precomputed tables). They are not secret, so anyone who
 * can read the task labels could still test guesses offline; scrypt makes each guess cost
 * tens of milliseconds and a few MiB instead of a nanosecond, which puts short-but-random
 * secrets out of reach, though not "password123". The digest is short (64 bits): it only
 * needs to detect a change, and a short digest says less about the value.
 *
 * A secret whose variable is unset (plan run without it) has no digest: its spec hash
 * then differs from apply's, so plan needs the same environment as apply to be right.
 */
import { createHash, scryptSync } from 'node:crypto';
import type { LoadedSpec } from '../model/spec.js';
import { canonicalJson } from './normalise.js';

export const LABEL_SECRETS = 'mesos-apply/secrets';

/** scrypt cost: N = 2^14, r = 8 (16 MiB, tens of ms): per variable and run, cached. */
const SCRYPT = { N: 1 << 14, r: 8, p: 1 };

function digest(framework: string, variable: string, value: string): string {
  const salt = `mesos-apply/secret:${framework}:${variable}`;
  return scryptSync(value, salt, 8, SCRYPT).toString('hex');
}

/**
 * The specs with their secrets' digests (task env name → digest) and the hash that
 * includes them. Specs without a set `fromEnv` value come back as they were.
 */
export function withSecrets(
  specs: readonly LoadedSpec[],
  env: Readonly<Record<string, string | undefined>>,
  framework: string,
): LoadedSpec[] {
  const cache = new Map<string, string>();
  return specs.map((s) => {
    const secrets: Record<string, string> = {};
    for (const [key, v] of Object.entries(s.spec.env)) {
      if (v.kind !== 'fromEnv') continue;
      const value = env[v.name];
      if (value === undefined) continue;
      let d = cache.get(v.name);
      if (d === undefined) {
        d = digest(framework, v.name, value);
        cache.set(v.name, d);
      }
      secrets[key] = d;
    }
    if (Object.keys(secrets).length === 0) return s;
    const hash = createHash('sha256')
      .update(`${s.hash}\n${canonicalJson(secrets)}`)
      .digest('hex')
      .slice(0, 10);
    return { ...s, hash, secrets };
  });
}
