import { mkdtemp, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { writeDirAtomic } from '../src/project/store/atomic'
import { detectImageType } from '../src/project/images/image-type'
import { cacheKey } from '../src/model/key'
import { resolveSpec } from '../src/model/spec'
import { Store } from '../src/project/store/store'
import { targetWidths } from '../src/project/images/variants'

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

describe('cache keys of specs that were valid before options and samples were checked (issue 10)', () => {
  // Computed on the code before that change: a different key re-bills every pinned picture.
  const ref = (n: number) => `https://example.com/ref-${n}.png`
  it.each([
    [{ prompt: 'a fox' }, 'b5a29170555b3dc02358cc6f411c95d91ec4e7709d3b41281dd67eef3b473f9e'],
    [{ prompt: '  a fox  ', size: '4K', model: 'seedream-4' }, 'c103416d314379f37dcf70e6ab4dab9baae16546c5d92eafca81ecf3ebcc7abc'],
    [{ prompt: 'a fox', size: '1K' }, 'efa9d0f06a13399f60c9c6cbb180b36adb92e66aec9e3af7f39b893f01c5f86e'],
    [{ prompt: 'a fox', model: 'seedream-4', size: 'custom', width: 2000, height: 1100 }, 'c4df30adea37715844c2e8472d037f92c8f90eaf1cf8174bbe56db7f4c262f23'],
    [{ prompt: 'a fox', size: 'custom', width: 2560, height: 1440, seed: 7 }, 'fe758169fd5a9b321a13dfe0635edd4059edc9c4acedfc094cd53f24187c824b'],
    [{ prompt: 'a fox', image_input: ref(1) }, 'cc2695c581a2fd80aaadf3badceb272bcb4da477fad1a0ba4d1b630f1ade0a93'],
    [{ prompt: 'a fox', image_input: [ref(1), ref(2), ref(3)], aspect_ratio: '16:9', max_images: 3, sequential_image_generation: 'auto' }, 'd0a90c66ef4ff427f03cafbd45a43579a1805695dcfb756d0bea706761a7d01b'],
    [{ prompt: 'a fox', provider: 'ark' }, '33a809b0ede9eb237f320e50a030bdc22755f05763b9993ade6749716d5c0499'],
  ])('%j keeps its key', (raw, key) => {
    expect(cacheKey(spec(raw))).toBe(key)
  })
})

describe('request bodies pasted from the API pages', () => {
  // Verbatim from Segmind's Seedream 4.0 and 4.5 pages (shared/seeds/).
  const sample40 = {
    size: '2K',
    width: 2048,
    height: 2048,
    prompt: 'Action hero into an apocalypse survivor zombie hunter, torn leather jacket with spikes, glowing red cybernetic eye, dual chainsaw weapons, burning city ruins background, blood splatter effects, horror movie aesthetic, badass energy, ultra-detailed gore',
    max_images: 1,
    image_input: 'https://segmind-resources.s3.amazonaws.com/input/ee043397-b857-4bf2-9ad0-70258a286e96-504cf296-f8c3-40af-b200-9b52bdae240c.png',
    sequential_image_generation: 'disabled',
  }
  const sample45 = {
    size: '2K',
    width: 2048,
    height: 2048,
    prompt: 'Create a professional H&M clothing brand photoshoot of the man wearing all the reference clothes, striking confident model poses against an urban city street background with skyscrapers and vibrant daylight.',
    max_images: 1,
    image_input: [
      'https://segmind-inference-inputs.s3.amazonaws.com/273f368e-3274-4a6e-8a2c-2cdd5881948e-d61283c9-839e-4107-9185-4ea883ecaded.webp',
      'https://segmind-inference-inputs.s3.amazonaws.com/d47c85b4-f584-45e7-97ea-2ae0eeae4880-548c2fcfa1e14e301329ef45b8e093af.jpg',
      'https://segmind-inference-inputs.s3.amazonaws.com/d4545759-47ba-4c92-afa3-49fb260e8c51-IMG_7135.webp',
      'https://segmind-inference-inputs.s3.amazonaws.com/2d803ba1-7c89-4d54-996f-11c9572d8db9-IMG_7137.webp',
      'https://segmind-inference-inputs.s3.amazonaws.com/a461a78b-6db9-443a-8882-69ed7ccc2390-IMG_7138.webp',
    ],
    aspect_ratio: 'match_input_image',
    sequential_image_generation: 'disabled',
  }
  const ignored = 'width and height are ignored with size "2K", as the API ignores them; set size: "custom" to use them, or remove them'
  const { width: _w, height: _h, ...bare40 } = sample40

  it('4.0: width and height beside a preset are left out of the request, with a note', () => {
    const s = spec({ ...sample40, model: 'seedream-4' })
    expect(s.picture).not.toHaveProperty('width')
    expect(s.picture).not.toHaveProperty('height')
    expect(s.picture.image_input).toEqual([sample40.image_input])
    expect(s.notes).toEqual([ignored])
    expect(cacheKey(s)).toBe(cacheKey(spec({ ...bare40, model: 'seedream-4' })))
    expect(spec(sample40).notes).toEqual([ignored])
  })

  it('4.5: five references resolve, with a note that Segmind documents three', () => {
    const s = spec(sample45)
    expect(s.picture.image_input).toEqual(sample45.image_input)
    expect(s.picture.aspect_ratio).toBe('match_input_image')
    expect(s.notes).toEqual([ignored, expect.stringMatching(/^image_input has 5 reference images: Segmind's page says 1–3 \(BytePlus documents up to 14\)/)])
  })

  it('4.5 below its minimum area: the size asked is kept, and the note gives the size expected back', () => {
    const custom = spec({ prompt: 'Lake', size: 'custom', width: 1024, height: 1024 })
    expect([custom.picture.width, custom.picture.height]).toEqual([1024, 1024])
    expect(custom.notes).toEqual(['1024×1024 is under seedream-4.5\'s minimum of 3,686,400 px: the API scales it up to about 1920×1920'])
    expect(spec({ prompt: 'Lake', size: '1K', aspect_ratio: '16:9' }).notes).toEqual(['1024×576 is under seedream-4.5\'s minimum of 3,686,400 px: the API scales it up to about 2560×1440'])
    expect(spec({ prompt: 'Lake', size: '1K', model: 'seedream-4' }).notes).toEqual([])
    expect(spec({ prompt: 'Lake', size: 'custom', width: 2560, height: 1472 }).notes).toEqual([])
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

  it('does not take a folder without meta.json, nor an entry of another key, for an entry: it names it as corrupt', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'seedream-store-'))
    const store = new Store(dir)
    const key = 'a'.repeat(64)
    expect(await store.read(key)).toBeUndefined()
    const { mkdir } = await import('node:fs/promises')
    await mkdir(store.entryDir(key), { recursive: true })
    await writeFile(path.join(store.entryDir(key), '0.jpeg'), 'orphan')
    await expect(store.read(key)).rejects.toThrow('is corrupt: it has no meta.json')
    const other = `${'a'.repeat(16)}${'b'.repeat(48)}`
    await writeFile(path.join(store.entryDir(key), 'meta.json'), JSON.stringify({ key: other }))
    await expect(store.read(key)).rejects.toThrow(`is corrupt: meta.json names key "${other}", not ${key}`)
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
