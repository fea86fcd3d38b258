/** The recordings of a real Mesos 1.12 master: `../shared/fixtures/real-mesos` beside the repository (as in CI). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/fixtures/real-mesos',
);
