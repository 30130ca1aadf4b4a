import type { DetectedFormat } from './image-type'
import type { PictureRequest } from './spec'
import { readFileSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { writeDirAtomic } from './atomic'

/** One original picture of an entry, with what later steps need so they never re-read it. */
export interface OriginalImage {
  /** File name inside the entry folder. */
  file: string
  format: DetectedFormat
  width: number
  height: number
  bytes: number
  sha256: string
}

/** `meta.json` of an entry: what was asked, of whom, and what came back. */
export interface EntryMeta {
  key: string
  name: string
  source?: string
  provider: string
  model: string
  picture: PictureRequest
  created: string
  requestIds: string[]
  remainingCredits?: number
  seed?: number
  images: OriginalImage[]
}

export interface Entry {
  dir: string
  meta: EntryMeta
}

/** The committed store of originals: `<cacheDir>/<key prefix>/{meta.json, 0.jpeg, …}`. */
export class Store {
  /** Entries never change once written, so a hit is read from disk once per process. */
  private hits = new Map<string, Entry>()

  constructor(readonly dir: string) {}

  entryDir(key: string): string {
    return path.join(this.dir, key.slice(0, 16))
  }

  /** The entry for a key, or undefined; a folder without meta.json is not an entry. */
  async read(key: string): Promise<Entry | undefined> {
    const dir = this.entryDir(key)
    if (this.hits.has(key))
      return this.hits.get(key)
    try {
      // A few hundred bytes: read at once rather than through the thread pool, which a warm
      // build of a thousand images would otherwise queue on.
      const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as EntryMeta
      if (meta.key !== key)
        return undefined
      this.hits.set(key, { dir, meta })
      return { dir, meta }
    }
    catch (error: any) {
      if (error?.code === 'ENOENT')
        return undefined
      throw new Error(`The seedream cache entry ${dir} is unreadable (${error.message}); delete that folder to regenerate it.`)
    }
  }

  /** Writes images and meta.json together; meta.json is written last, inside the atomic folder. */
  async write(meta: EntryMeta, data: Uint8Array[]): Promise<Entry> {
    const dir = this.entryDir(meta.key)
    const won = await writeDirAtomic(dir, async (tmp) => {
      await Promise.all(meta.images.map((img, i) => writeFile(path.join(tmp, img.file), data[i]!)))
      await writeFile(path.join(tmp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`)
    })
    return won ? { dir, meta } : (await this.read(meta.key)) ?? { dir, meta }
  }

  /** Every entry in the store, and the leftovers of killed writes (`.tmp-*` folders). */
  async list(): Promise<{ entries: Entry[], leftovers: string[] }> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const leftovers = names.filter(n => n.startsWith('.tmp-')).map(n => path.join(this.dir, n))
    const entries: Entry[] = []
    for (const name of names.filter(n => /^[0-9a-f]{16}$/.test(n))) {
      const meta = await readFile(path.join(this.dir, name, 'meta.json'), 'utf8').then(JSON.parse, () => undefined)
      if (meta?.key)
        entries.push({ dir: path.join(this.dir, name), meta })
      else
        leftovers.push(path.join(this.dir, name))
    }
    return { entries, leftovers }
  }

  readImage(entry: Entry, index: number): Promise<Buffer> {
    return readFile(path.join(entry.dir, entry.meta.images[index]!.file))
  }
}
