/** Where renderers write: a plain sink, so output can be captured. Owned by ui; cli's Io uses it. */
export interface Writer {
  write(chunk: string): unknown;
  /** True when this stream is a terminal (progress may redraw; colours allowed). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** The `-o` formats. */
export type OutputFormat = 'text' | 'json' | 'yaml' | 'wide' | 'name';

/**
 * Every `-o json` document carries `formatVersion`: bumped when a field changes meaning or
 * goes away (adding a field keeps it), so programs can refuse a shape they do not know.
 */
export const FORMAT_VERSION = 1;
