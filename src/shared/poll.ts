/**
 * Asking again until an answer is final, backing off, within a deadline: ECR's replication and scan
 * status. Pure of I/O itself; the clock is injectable, so tests never wait.
 */
export interface PollClock {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface PollOptions extends PollClock {
  firstMs: number;
  maxMs: number;
  timeoutMs: number;
  /** The error when the deadline comes before a final answer (it may name what is still pending). */
  timedOut: () => Error;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `ask` resolves a final answer, or undefined to be asked again after a pause that doubles up to maxMs. */
export async function poll<T>(ask: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (let pause = options.firstMs; ; pause = Math.min(pause * 2, options.maxMs)) {
    const answer = await ask();
    if (answer !== undefined) return answer;
    if (now() + pause > deadline) throw options.timedOut();
    await sleep(pause);
  }
}
