import type { DetectedFormat } from '../../model/resolved'
import type { PictureRequest } from '../../model/spec'
import { lstatSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { replaceDirAtomic, writeDirAtomic } from './atomic'
import { CorruptEntry, problemOf } from './entry-check'
import { redact } from '../../model/errors'
import { sha256 } from '../../model/key'
import { readRegularFile, readRegularFileSync, UnreadableFile } from './safe-read'
import { decodeWhole } from '../generation/verify'

/** meta.json is a few hundred bytes; anything far larger is not one. */
const META_BYTES = 1024 * 1024

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
  /** What the host said it charged, where it said. */
  cost?: number
  seed?: number
  /** Candidate n > 0 of the spec whose first candidate has key `candidateOf` (see withCandidate). */
  candidate?: number, candidateOf?: string
  images: OriginalImage[]
}

export { CorruptEntry }

export interface Entry { dir: string, meta: EntryMeta }

/** The committed store of originals: `<cacheDir>/<key prefix>/{meta.json, 0.jpeg, …}`. */
export class Store {
  /** Entries never change once written, so a hit is read from disk once per process. */
  private hits = new Map<string, Entry>()

  constructor(readonly dir: string) {}

  entryDir(key: string): string {
    return path.join(this.dir, key.slice(0, 16))
  }

  /**
   * The entry for a key, undefined when there is no folder, or a CorruptEntry thrown: meta.json
   * and each file's size are checked here (cheap); each file's hash when its bytes are read.
   */
  async read(key: string): Promise<Entry | undefined> {
    if (this.hits.has(key))
      return this.hits.get(key)
    const dir = this.entryDir(key)
    let text: string
    try {
      // A few hundred bytes: read at once rather than through the thread pool, which a warm
      // build of a thousand images would otherwise queue on. Never through a link, never a FIFO.
      text = readRegularFileSync(path.join(dir, 'meta.json'), { max: META_BYTES }).toString('utf8')
    }
    catch (error: any) {
      if (!(error instanceof UnreadableFile) || error.reason !== 'missing')
        throw new CorruptEntry(dir, `meta.json cannot be read (${error.message})`)
      try { lstatSync(dir) } catch { return undefined }
      throw new CorruptEntry(dir, 'it has no meta.json')
    }
    let meta: EntryMeta
    try { meta = JSON.parse(text) } catch { throw new CorruptEntry(dir, 'meta.json is not valid JSON') }
    const problem = problemOf(meta, key, dir)
    if (problem)
      throw new CorruptEntry(dir, problem)
    this.hits.set(key, { dir, meta })
    return { dir, meta }
  }

  /** Writes images and meta.json together; `replace` swaps out a corrupt folder in one rename. */
  async write(meta: EntryMeta, data: Uint8Array[], replace = false): Promise<Entry> {
    const dir = this.entryDir(meta.key)
    const fill = async (tmp: string) => {
      await Promise.all(meta.images.map((img, i) => writeFile(path.join(tmp, img.file), data[i]!)))
      await writeFile(path.join(tmp, 'meta.json'), redact(`${JSON.stringify(meta, null, 2)}\n`))
    }
    if (!meta.images.length)
      throw new Error(`refusing to store an entry without pictures for ${meta.key}`)
    this.hits.delete(meta.key)
    if (replace)
      await replaceDirAtomic(dir, fill)
    else if (!await writeDirAtomic(dir, fill))
      return (await this.read(meta.key))! // another process stored the same key first: its entry wins
    return { dir, meta }
  }

  /** Every entry in the store, corrupt folders, leftovers of killed writes, and journals of unfinished jobs. */
  async list(): Promise<{ entries: Entry[], corrupt: CorruptEntry[], leftovers: string[], partial: string[] }> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const leftovers = names.filter(n => n.startsWith('.tmp-')).map(n => path.join(this.dir, n))
    const partial = (await readdir(path.join(this.dir, '.jobs')).catch(() => [] as string[])).map(n => path.join(this.dir, '.jobs', n))
    const entries: Entry[] = []
    const corrupt: CorruptEntry[] = []
    for (const name of names.filter(n => /^[0-9a-f]{16}$/.test(n))) {
      const dir = path.join(this.dir, name)
      const meta = await readFile(path.join(dir, 'meta.json'), 'utf8').then(JSON.parse, () => undefined)
      const problem = typeof meta?.key === 'string' && meta.key.startsWith(name) ? problemOf(meta, meta.key, dir) : 'its meta.json is missing or names another key'
      if (problem)
        corrupt.push(new CorruptEntry(dir, problem))
      else entries.push({ dir, meta })
    }
    return { entries, corrupt, leftovers, partial }
  }

  /** Reads every file of an entry against its hash and decodes it whole: the deep check of `status --verify`. */
  async verify(entry: Entry): Promise<CorruptEntry | undefined> {
    for (const [i, img] of entry.meta.images.entries()) {
      try {
        const data = await this.readImage(entry, i)
        await decodeWhole(data)
      }
      catch (error: any) {
        return error instanceof CorruptEntry ? error : new CorruptEntry(entry.dir, `${img.file} does not decode (${error.message})`)
      }
    }
    return undefined
  }

  /** One original's bytes, checked against the hash meta.json records. */
  async readImage(entry: Entry, index: number): Promise<Buffer> {
    const img = entry.meta.images[index]!
    const data = await readRegularFile(path.join(entry.dir, img.file), { exact: img.bytes }).catch((error) => {
      throw new CorruptEntry(entry.dir, `${img.file} cannot be read (${error.message})`)
    })
    if (sha256(data) !== img.sha256)
      throw new CorruptEntry(entry.dir, `${img.file} does not match the sha256 in meta.json`)
    return data
  }
}
