import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
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

/**
 * Like writeDirAtomic, but an existing `target` (a corrupt entry) is replaced: it is renamed
 * aside, the new folder renamed in, then the old one removed. Readers see the old folder, no
 * folder for an instant, or the new one; never a mix.
 */
export async function replaceDirAtomic(target: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  if (await writeDirAtomic(target, fill))
    return
  const aside = path.join(path.dirname(target), `.tmp-old-${path.basename(target)}-${randomBytes(4).toString('hex')}`)
  await rename(target, aside).catch((error) => {
    if (error?.code !== 'ENOENT')
      throw error
  })
  await writeDirAtomic(target, fill)
  await rm(aside, { recursive: true, force: true })
}
