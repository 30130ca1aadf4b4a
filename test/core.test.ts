import { mkdtemp, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { writeDirAtomic } from '../src/core/atomic'
import { detectImageType } from '../src/core/image-type'
import { cacheKey } from '../src/core/key'
import { resolveSpec } from '../src/core/spec'
import { Store } from '../src/core/store'
import { targetWidths } from '../src/core/variants'

const spec = (raw: object, name = 'hero') => resolveSpec(raw, { name, provider: 'segmind', output: {} })

describe('cacheKey', () => {
  it('is the same for the same picture, whatever the key order, name, alt or output options', () => {
    const a = spec({ prompt: 'Lake', aspect_ratio: '16:9', model: 'seedream-4' })
    const b = spec({ model: 'seedream-4', aspect_ratio: '16:9', prompt: 'Lake', alt: 'other', widths: [100], formats: ['png'], quality: 20 }, 'card')
    expect(cacheKey(a)).toBe(cacheKey(b))
  })

  it('fills defaults before hashing, so spelling out a default changes nothing', () => {
    expect(cacheKey(spec({ prompt: 'Lake' }))).toBe(cacheKey(spec({ prompt: 'Lake', size: '2K', model: 'seedream-4.5', max_images: 1, aspect_ratio: '1:1', sequential_image_generation: 'disabled' })))
  })

  it.each([
    [{ prompt: 'Lake!' }],
    [{ prompt: 'Lake', model: 'seedream-4' }],
    [{ prompt: 'Lake', size: '4K' }],
    [{ prompt: 'Lake', seed: 7 }],
    [{ prompt: 'Lake', aspect_ratio: '3:2' }],
    [{ prompt: 'Lake', provider: 'placeholder' }],
    [{ prompt: 'Lake', max_images: 2 }],
  ])('changes with anything that changes the picture: %j', (raw) => {
    expect(cacheKey(spec(raw))).not.toBe(cacheKey(spec({ prompt: 'Lake' })))
  })

  it('rounds custom sizes to 64 and says so', () => {
    const s = spec({ prompt: 'Lake', model: 'seedream-4', size: 'custom', width: 2000, height: 1100 })
    expect([s.picture.width, s.picture.height]).toEqual([1984, 1088])
    expect(s.notes).toEqual(['2000×1100 was rounded to 1984×1088 (multiples of 64)'])
    expect(cacheKey(s)).toBe(cacheKey(spec({ prompt: 'Lake', model: 'seedream-4', size: 'custom', width: 1984, height: 1088 })))
  })
})

describe('detectImageType', () => {
  it.each(['jpeg', 'png', 'webp', 'avif', 'gif'] as const)('recognises %s from its bytes', async (format) => {
    const buf = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).toFormat(format).toBuffer()
    expect(detectImageType(buf)).toBe(format)
  })

  it.each(['{"error":"x"}', '<html></html>', '', 'GIF'])('refuses %j', (text) => {
    expect(detectImageType(Buffer.from(text))).toBeUndefined()
  })
})

describe('atomic entries', () => {
  it('leaves nothing behind when filling an entry fails', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seedream-atomic-'))
    await expect(writeDirAtomic(path.join(dir, 'entry'), async (tmp) => {
      await writeFile(path.join(tmp, '0.jpeg'), 'half')
      throw new Error('disk full')
    })).rejects.toThrow('disk full')
    expect(await readdir(dir)).toEqual([])
  })

  it('does not read a folder without meta.json as an entry, nor an entry of another key', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seedream-store-'))
    const store = new Store(dir)
    const key = 'a'.repeat(64)
    const { mkdir } = await import('node:fs/promises')
    await mkdir(store.entryDir(key), { recursive: true })
    await writeFile(path.join(store.entryDir(key), '0.jpeg'), 'orphan')
    expect(await store.read(key)).toBeUndefined()
    await writeFile(path.join(store.entryDir(key), 'meta.json'), JSON.stringify({ key: `${'a'.repeat(16)}${'b'.repeat(48)}` }))
    expect(await store.read(key)).toBeUndefined()
  })

  it('keeps the first writer\'s entry when two race for one key', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seedream-race-'))
    const target = path.join(dir, 'entry')
    const results = await Promise.all([1, 2].map(n => writeDirAtomic(target, tmp => writeFile(path.join(tmp, 'meta.json'), String(n)))))
    expect(results.sort()).toEqual([false, true])
    expect(await readdir(dir)).toEqual(['entry'])
  })
})

describe('targetWidths', () => {
  it('never upscales, and keeps the original width when no requested width fits', () => {
    expect(targetWidths([640, 1024, 1600, 2048], 1200)).toEqual([640, 1024])
    expect(targetWidths([1600, 2048], 1200)).toEqual([1200])
  })
})
