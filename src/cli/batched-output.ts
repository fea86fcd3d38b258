/**
 * Output that leaves once per turn of the event loop: everything the CLI writes to a pipe
 * or file during one turn goes out in one write per stream, in the order it was written
 * (stdout and stderr keep their relative order). apply prints a line per instance and
 * phase, so without batching a large apply makes a write(2) call per line.
 * Terminals are not batched (the progress renderer draws them itself).
 */
export interface Sink {
  write(chunk: string): unknown;
}

export interface Batcher {
  /** A sink that queues into this batch and writes through to `target`. */
  sink(target: Sink): Sink;
  /** Writes out everything queued, now. */
  flush(): void;
}

export function createBatcher(schedule: (fn: () => void) => void = setImmediate): Batcher {
  const queued: Array<{ target: Sink; text: string }> = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    for (const { target, text } of queued.splice(0)) target.write(text);
  };
  return {
    sink: (target) => ({
      write(chunk: string): boolean {
        const last = queued[queued.length - 1];
        if (last !== undefined && last.target === target) last.text += chunk;
        else queued.push({ target, text: chunk });
        if (!scheduled) {
          scheduled = true;
          schedule(flush);
        }
        return true;
      },
    }),
    flush,
  };
}
