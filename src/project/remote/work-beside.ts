/**
 * Work a run starts beside the build (uploads, local copies of what it pulled) and awaits before it
 * ends. A failure of `track`ed work is the caller's to handle; one of `beside` work is kept and
 * thrown by `settle`, as if the build had awaited that work itself.
 */
export function workBeside() {
  const pending = new Set<Promise<unknown>>()
  const failures: unknown[] = []
  function track<T>(running: Promise<T>): Promise<T> {
    pending.add(running)
    void running.finally(() => pending.delete(running)).catch(() => {})
    return running
  }
  return {
    track,
    beside: (work: Promise<unknown>): void => void track(work.catch(error => void failures.push(error))),
    /** Resolves when everything started so far (and anything it starts) has ended. */
    async settle(): Promise<void> {
      while (pending.size)
        await Promise.allSettled([...pending])
      if (failures.length)
        throw failures[0]
    },
  }
}
