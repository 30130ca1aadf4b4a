import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** A fresh `.tmp-<name>-*` folder beside `target`, filled; removed again if filling fails. */
async function filledTemp(target: string, fill: (tmpDir: string) => Promise<void>): Promise<string> {
  const parent = path.dirname(target)
  await mkdir(parent, { recursive: true })
  const tmp = await mkdtemp(path.join(parent, `.tmp-${path.basename(target)}-`))
  await fill(tmp).catch(async (error) => {
    await rm(tmp, { recursive: true, force: true })
    throw error
  })
  return tmp
}

/**
 * Fills a fresh temporary folder beside `target`, then renames it into place in one step, so a
 * reader sees a whole entry or none. A killed process leaves only a `.tmp-*` folder, never read.
 * Returns false when another process won the race (its entry is as good as ours).
 */
export async function writeDirAtomic(target: string, fill: (tmpDir: string) => Promise<void>): Promise<boolean> {
  const tmp = await filledTemp(target, fill)
  try {
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
 * Fills a temporary folder and renames it to `target`, replacing whatever is there (a folder that
 * failed its checks, a link, a file): that is renamed aside first, then removed. A reader sees a
 * whole folder, or none; two processes replacing at once each put in an identical folder, so the
 * last one in is as good as the first. A killed process leaves only `.tmp-*` names, never read.
 */
export async function replaceDirAtomic(target: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = await filledTemp(target, fill)
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await rename(tmp, target)
      }
      catch (error: any) {
        if (attempt >= 5 || !['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(error?.code))
          throw error
      }
      const aside = `${tmp}-old`
      await rename(target, aside).catch((error) => {
        if (error?.code !== 'ENOENT')
          throw error
      })
      await rm(aside, { recursive: true, force: true })
    }
  }
  finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/**
 * A file written beside its target and renamed over it: readers see the old bytes or the new.
 * The temporary name is unique per write, so two writers of one file (two pages of a site asking
 * for the same picture at once) never rename each other's half-written file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, file)
}
