/**
 * Work a run starts beside the build and awaits before it ends: uploads (`track`ed, their failures
 * the caller's to handle) and local copies of what it pulled (`beside`, a failure kept and thrown
 * by `settle`, as if the build had awaited that work itself). The copies are apart because the
 * build's output needs none of them: its summary awaits the uploads, and only its very end the copies.
 */
export function workBeside() {
  const tracked = new Set<Promise<unknown>>()
  const copies = new Set<Promise<unknown>>()
  const failures: unknown[] = []
  function add<T>(set: Set<Promise<unknown>>, running: Promise<T>): Promise<T> {
    set.add(running)
    void running.finally(() => set.delete(running)).catch(() => {})
    return running
  }
  /** Resolves when everything in the sets started so far (and anything it starts) has ended. */
  async function drain(...sets: Array<Set<Promise<unknown>>>): Promise<void> {
    while (sets.some(s => s.size))
      await Promise.allSettled(sets.flatMap(s => [...s]))
  }
  return {
    track: <T>(running: Promise<T>): Promise<T> => add(tracked, running),
    beside: (work: Promise<unknown>): void => void add(copies, work.catch(error => void failures.push(error))),
    /** The tracked work (uploads, deletions) only. */
    settleTracked: () => drain(tracked),
    async settle(): Promise<void> {
      await drain(tracked, copies)
      if (failures.length)
        throw failures[0]
    },
  }
}
