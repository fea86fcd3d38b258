/** The Mesos version the local master answers as, and its build facts (`/version`, GET_VERSION). */
export const MESOS_VERSION = '1.12.0';

/**
 * The apache/mesos commit whose wire behaviour this master follows (the recorded
 * reference in ../shared/fixtures/real-mesos); the branch says who really answers.
 */
const REFERENCE_GIT_SHA = 'c1b42f79d157aa900be5cbb0c1023f1479962aa7';

export interface VersionInfo {
  version: string;
  build_date: string;
  build_time: number;
  build_user: string;
  git_sha: string;
  git_branch: string;
}

export function versionInfo(startMs: number): VersionInfo {
  return {
    version: MESOS_VERSION,
    build_date: new Date(startMs).toISOString().slice(0, 19).replace('T', ' '),
    build_time: Math.floor(startMs / 1000),
    build_user: 'mesos-apply',
    git_sha: REFERENCE_GIT_SHA,
    git_branch: 'mesos-apply-local',
  };
}
