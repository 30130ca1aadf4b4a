import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/**
 * Fills a fresh temporary folder beside `target`, then renames it into place in one step, so a
 * reader sees a whole entry or none. A killed process leaves only a `.tmp-*` folder, never read.
 * Returns false when another process won the race (its entry is as good as ours).
 */
export async function writeDirAtomic(target: string, fill: (tmpDir: string) => Promise<void>): Promise<boolean> {
  const parent = path.dirname(target)
  await mkdir(parent, { recursive: true })
  const tmp = await mkdtemp(path.join(parent, `.tmp-${path.basename(target)}-`))
  try {
    await fill(tmp)
    await rename(tmp, target)
    return true
  }
  catch (error: any) {
    await rm(tmp, { recursive: true, force: true })
    if (error?.code === 'ENOTEMPTY' || error?.code === 'EEXIST')
      return false
    throw error
  }
}
