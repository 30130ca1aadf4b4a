import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pLimit from 'p-limit'
import sharp from 'sharp'
import { beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_OUTPUT } from '../src/model/defaults'
import { inMemory } from '../src/project/generation/original'
import { createDevVariants } from '../src/project/images/dev-variants'
import { makeVariants } from '../src/project/images/variants'
import { pruneDevCache, pruneVariantsCache } from '../src/project/store/retention'
import { copyFixture, viteBuild } from './helpers'

const DAY = 24 * 60 * 60 * 1000
let cache: string
let outside: string
beforeEach(async () => {
  cache = await mkdtemp(path.join(os.tmpdir(), 'seedream-retention-'))
  outside = await mkdtemp(path.join(os.tmpdir(), 'seedream-outside-'))
})

/** Sets a file's or folder's times to `days` ago (set last: writing inside a folder moves its mtime). */
const age = (target: string, days: number) => utimes(target, (Date.now() - days * DAY) / 1000, (Date.now() - days * DAY) / 1000)
const exists = (target: string) => lstat(target).then(() => true, () => false)
const hex = (n: number) => n.toString(16).padStart(20, '0')

/** A variant-like folder of the given file sizes, last used `days` ago. */
async function folder(name: string, days: number, sizes = [100, 20]): Promise<string> {
  const dir = path.join(cache, name)
  await mkdir(dir, { recursive: true })
  await Promise.all(sizes.map((n, i) => writeFile(path.join(dir, `${i}.webp`), Buffer.alloc(n))))
  await age(dir, days)
  return dir
}

describe('pruneVariantsCache', () => {
  it('removes old folders this build did not use, reports them, and keeps used and recent ones', async () => {
    await folder(hex(1), 40)
    await folder(hex(2), 31, [5, 5, 5])
    const used = await folder(hex(3), 400)
    await folder(hex(4), 29)
    await folder(hex(5), 0)
    expect(await pruneVariantsCache(cache, { used: new Set([used]) })).toEqual({ count: 2, bytes: 135 })
    expect((await readdir(cache)).sort()).toEqual([hex(3), hex(4), hex(5)])
    // Names relative to the cache folder count as used too; a second run finds nothing.
    expect(await pruneVariantsCache(cache, { used: new Set([hex(3)]), maxAgeMs: 28 * DAY })).toEqual({ count: 1, bytes: 120 })
    expect((await readdir(cache)).sort()).toEqual([hex(3), hex(5)])
  })

  it('never deletes or follows anything but a variant folder', async () => {
    const target = await mkdtemp(path.join(outside, 'old-'))
    await writeFile(path.join(target, 'manifest.json'), '{}')
    await age(target, 100)
    await writeFile(path.join(outside, 'secret.jpg'), Buffer.alloc(1000))
    const dev = await folder('dev', 100)
    await age(path.join(dev, '0.webp'), 100)
    for (const name of ['stamps.json', 'notes.txt', hex(6), `${hex(7)}0`]) {
      await writeFile(path.join(cache, name), 'x')
      await age(path.join(cache, name), 100)
    }
    await folder(`${hex(8)}a`, 100)
    await folder(hex(9).toUpperCase().replace(/0/g, 'A'), 100)
    await symlink(target, path.join(cache, hex(10)))
    await symlink(target, path.join(cache, 'linked'))
    // A stale folder holding a link: the link goes, what it points to stays.
    const holder = await folder(hex(11), 100, [])
    await symlink(path.join(outside, 'secret.jpg'), path.join(holder, '0.jpg'))
    await age(holder, 100)
    const before = (await readdir(cache)).filter(n => n !== hex(11)).sort()

    const pruned = await pruneVariantsCache(cache, { used: new Set() })
    expect(pruned.count).toBe(1)
    expect(pruned.bytes).toBeLessThan(1000)
    expect((await readdir(cache)).sort()).toEqual(before)
    expect(await readdir(dev)).toEqual(['0.webp', '1.webp'])
    expect(await readdir(target)).toEqual(['manifest.json'])
    expect((await stat(path.join(outside, 'secret.jpg'))).size).toBe(1000)
  })

  it('removes a killed writer\'s temporary folder only when both its times are past the limit', async () => {
    // A folder replaceDirAtomic just renamed aside keeps the old folder's mtime, but a new ctime.
    const aside = await folder(`.tmp-${hex(1)}-Ab12Cd-old`, 100)
    const filling = await folder(`.tmp-${hex(2)}-Xy34Zw`, 0)
    expect(await pruneVariantsCache(cache, { used: new Set() })).toEqual({ count: 0, bytes: 0 })
    expect(await exists(aside)).toBe(true)
    // Seen 40 days later, both are leftovers.
    expect(await pruneVariantsCache(cache, { used: new Set(), now: Date.now() + 40 * DAY })).toEqual({ count: 2, bytes: 240 })
    expect(await exists(filling)).toBe(false)
  })

  it('is a no-op on a missing cache folder', async () => {
    expect(await pruneVariantsCache(path.join(cache, 'none'), { used: new Set() })).toEqual({ count: 0, bytes: 0 })
  })
})

describe('makeVariants records each use of its folder', () => {
  const out = { ...DEFAULT_OUTPUT, widths: [32, 64], formats: ['webp', 'jpeg'] as Array<'webp' | 'jpeg'> }
  const make = async () => {
    const png = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#3366cc' } }).png().toBuffer()
    const [original] = await inMemory([{ data: png, format: 'png' }])
    return makeVariants(original!, out, cache, pLimit(1), pLimit(1))
  }
  const mtime = async (dir: string) => (await stat(dir)).mtimeMs

  it('refreshes a day-old folder on a warm read, leaves a younger one alone, and names it for `used`', async () => {
    const made = await make()
    expect(made.made).toBe(true)
    expect(path.dirname(made.dir)).toBe(cache)
    expect((await make()).made).toBe(false) // writes stamps.json

    await age(made.dir, 0.5)
    const young = await mtime(made.dir)
    expect((await make()).dir).toBe(made.dir)
    expect(await mtime(made.dir)).toBe(young)

    await age(made.dir, 40)
    const warm = await make()
    expect(warm.made).toBe(false)
    expect(await mtime(made.dir)).toBeGreaterThan(Date.now() - 60_000)

    await age(made.dir, 40)
    expect(await pruneVariantsCache(cache, { used: new Set([warm.dir]) })).toEqual({ count: 0, bytes: 0 })
    const files = await readdir(made.dir)
    const bytes = (await Promise.all(files.map(f => stat(path.join(made.dir, f))))).reduce((n, s) => n + s.size, 0)
    expect(files).toContain('stamps.json')
    expect(await pruneVariantsCache(cache, { used: new Set() })).toEqual({ count: 1, bytes })
    expect(await readdir(cache)).toEqual([])
  })
})

describe('the dev cache follows the same rule', () => {
  const dev = () => path.join(cache, 'dev')
  const devFile = async (name: string, days: number, data: string | Buffer = 'x') => {
    await mkdir(dev(), { recursive: true })
    await writeFile(path.join(dev(), name), data)
    await age(path.join(dev(), name), days)
  }
  const id = `${'a'.repeat(16)}-${'b'.repeat(8)}`

  it('removes variants not served for 30 days with their sidecars, and nothing else', async () => {
    await devFile(`${id}-64.webp`, 40, Buffer.alloc(300))
    await devFile(`${id}-64.webp.sha256`, 40, 'f'.repeat(64))
    await devFile(`${id}-128.webp.sha256`, 40, 'f'.repeat(64)) // sidecar of a file served yesterday
    await devFile(`${id}-128.webp`, 1)
    await devFile(`${id}-256.jpg.sha256`, 40, 'f'.repeat(64)) // orphan
    await devFile(`${id}-512.jpg.4242.tmp`, 40) // written just now, so its ctime is young
    await devFile('notes.txt', 40)
    await writeFile(path.join(outside, 'old.jpg'), 'keep')
    await age(path.join(outside, 'old.jpg'), 40)
    await symlink(path.join(outside, 'old.jpg'), path.join(dev(), `${id}-32.jpg`))

    expect(await pruneDevCache(dev())).toEqual({ count: 3, bytes: 300 + 64 + 64 })
    expect((await readdir(dev())).sort()).toEqual([`${id}-128.webp`, `${id}-128.webp.sha256`, `${id}-32.jpg`, `${id}-512.jpg.4242.tmp`, 'notes.txt'])
    expect(await readFile(path.join(outside, 'old.jpg'), 'utf8')).toBe('keep')
    expect(await pruneDevCache(dev(), { now: Date.now() + 40 * DAY })).toEqual({ count: 3, bytes: 1 + 64 + 1 })
  })

  it('prunes once in the background when created, ignoring errors, and refreshes a file served from disk', async () => {
    await devFile(`${id}-64.webp`, 40)
    const dev1 = createDevVariants(cache, pLimit(1))
    expect(await dev1.pruned).toEqual({ count: 1, bytes: 1 })
    // An unreadable dev folder is no crash.
    await writeFile(path.join(cache, 'dev-file'), 'x')
    expect(await createDevVariants(path.join(cache, 'dev-file'), pLimit(1)).pruned).toBeUndefined()

    const server = await serving(dev1)
    try {
      const png = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#cc3366' } }).png().toBuffer()
      const [original] = await inMemory([{ data: png, format: 'png' }])
      const { src } = await dev1.picture(original!, { ...DEFAULT_OUTPUT, widths: [64], formats: ['jpeg'] }, '/')
      expect((await fetch(`${server.url}${src}`)).status).toBe(200)
      const [file] = (await readdir(dev())).filter(f => f.endsWith('.jpg'))
      await age(path.join(dev(), file!), 40)
      expect((await fetch(`${server.url}${src}`)).status).toBe(200)
      expect((await stat(path.join(dev(), file!))).mtimeMs).toBeGreaterThan(Date.now() - 60_000)
    }
    finally {
      server.close()
    }
  })

  it('keeps the most recently used picture ids, and a dropped one falls through', async () => {
    const dev1 = createDevVariants(cache, pLimit(1), 2)
    const server = await serving(dev1)
    try {
      const png = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#33cc66' } }).png().toBuffer()
      const [original] = await inMemory([{ data: png, format: 'png' }])
      const register = (width: number) => dev1.picture(original!, { ...DEFAULT_OUTPUT, widths: [width], formats: ['jpeg'] }, '/').then(p => p.src)
      const status = async (src: string) => (await fetch(`${server.url}${src}`)).status
      const [a, b] = [await register(16), await register(24)]
      expect(await status(a)).toBe(200) // a is now the most recent
      const c = await register(32)
      expect([await status(a), await status(b), await status(c)]).toEqual([200, 404, 200])
      await register(24)
      expect(await status(b)).toBe(200)
    }
    finally {
      server.close()
    }
  })
})

/** An HTTP server in front of the dev middleware; what it passes on is a 404. */
async function serving(dev: ReturnType<typeof createDevVariants>) {
  const server = createServer((req, res) => dev.middleware(req, res, () => {
    res.statusCode = 404
    res.end()
  }))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () => {
    server.close()
    server.closeAllConnections()
  }
  return { url, close }
}

describe('a build applies the rule at its end', () => {
  it('deletes a folder unused for 31 days, keeps what the build used, and says so', async () => {
    const root = await copyFixture('vite-one')
    const options = { provider: 'placeholder' as const, allowPlaceholders: true, widths: [64] }
    await viteBuild(root, options)
    const cache = path.join(root, 'node_modules/.cache/unplugin-seedream')
    const used = (await readdir(cache)).filter(n => /^[0-9a-f]{20}$/.test(n))
    expect(used.length).toBeGreaterThan(0)
    const old = path.join(cache, 'abcdefabcdefabcdefab')
    await mkdir(old)
    await writeFile(path.join(old, 'manifest.json'), '{}')
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000)
    await utimes(old, longAgo, longAgo)
    // The build's own folders are as old, and kept because this build uses them.
    await Promise.all(used.map(n => utimes(path.join(cache, n), longAgo, longAgo)))
    const { logs } = await viteBuild(root, options)
    expect((await readdir(cache)).filter(n => /^[0-9a-f]{20}$/.test(n)).sort()).toEqual(used.sort())
    expect(logs.join('\n')).toMatch(/pruned 1 variant folder\(s\) unused for 30 days/)
  })
})
