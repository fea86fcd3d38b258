// Types of what scripts/node-binaries.mjs exports (used by bench/validate.ts).
export declare const OTHER_NODE_VERSIONS: string[];
export declare function pinnedVersion(major: string): string;
export declare function nodeBinary(
  version: string,
  opts?: { log?: (line: string) => void },
): { node: string } | { skipped: string };
