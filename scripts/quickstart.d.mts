// Types of what scripts/quickstart.mjs exports (used by test/e2e/journey.test.ts).
export declare const REPO: string;
export declare const BIN: string;
export declare const NODE: string;
export interface ShellBlock {
  heading: string;
  line: number;
  notRun: boolean;
  lines: string[];
}
export interface ShellLine {
  command: string;
  comment: string;
  expectedCode: number;
  setup: boolean;
}
export declare function shellBlocks(markdown: string): ShellBlock[];
export declare function parseLine(text: string): ShellLine | undefined;
export declare function binDir(parent: string): string;
export declare function runShellLine(
  command: string,
  opts: { cwd: string; env: Record<string, string | undefined>; bin: string; echo?: boolean },
): Promise<{ code: number; stdout: string; stderr: string }>;
export declare function journeyBlock(markdown: string): ShellBlock;
