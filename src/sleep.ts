/**
 * A pause of `ms` that an abort ends early, its `abort` listener removed
 * with it: a loop that pauses once a second for weeks (`ao up --wait`, the
 * demo agent) leaves nothing behind on its signal.
 */
export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
