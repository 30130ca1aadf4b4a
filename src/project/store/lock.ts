import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import lockfile from 'proper-lockfile'

const TRANSIENT = ['.locks/', '.tmp-*', '.jobs/']

/** Lock folders, temporary entries and job journals are never committed. */
async function ignoreTransient(cacheDir: string): Promise<void> {
  await mkdir(path.join(cacheDir, '.locks'), { recursive: true })
  const file = path.join(cacheDir, '.gitignore')
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n')
  const missing = TRANSIENT.filter(l => !lines.includes(l))
  if (missing.length)
    await writeFile(file, `${[...lines.filter(Boolean), ...missing].join('\n')}\n`)
}

/**
 * Runs `work` while holding the lock of one cache key, shared by every process using the cache.
 * A holder refreshes its lock; one killed with SIGKILL stops refreshing, and after `stale` ms
 * the lock is taken over. While waiting, `done` is polled: the holder's entry is as good as ours.
 */
export async function withKeyLock<T>(cacheDir: string, key: string, stale: number, done: () => Promise<T | undefined>, work: () => Promise<T>): Promise<T> {
  await ignoreTransient(cacheDir)
  const target = path.join(cacheDir, '.locks', key.slice(0, 16))
  for (;;) {
    // A lock lost to a long event-loop stall is not fatal: at worst two processes write the same
    // entry, and the atomic rename keeps the first.
    const options = { realpath: false, stale, update: Math.max(1000, stale / 2), onCompromised: () => {} }
    const release = await lockfile.lock(target, options).catch((error) => {
      if (error.code === 'ELOCKED')
        return undefined
      throw error
    })
    if (release) {
      try {
        return (await done()) ?? await work()
      }
      finally {
        await release().catch(() => {})
      }
    }
    const finished = await done()
    if (finished)
      return finished
    await sleep(250)
  }
}
