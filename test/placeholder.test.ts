import type { Options } from '../src/model/options'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { requestedSize } from '../src/model/geometry'
import { placeholderSvg } from '../src/project/providers/placeholder'
import { resolveSpec } from '../src/model/spec'
import { copyFixture, exportsOf, listFiles, viteBuild, withEnv } from './helpers'

describe('placeholder provider', () => {
  it('builds offline with no key, at the requested size, and stores nothing in .seedream', async () => {
    const root = await copyFixture('vite-basic')
    const { outDir, files } = await withEnv({ SEGMIND_API_URL: 'http://127.0.0.1:9' }, () =>
      viteBuild(root, { provider: 'placeholder', widths: [256, 4096], formats: ['jpeg'] }))
    const { hero, card } = await exportsOf(outDir)
    // hero: 2K 16:9 -> 2048×1152; card: 1K 4:3 -> 1024×768 (largest width that fits is kept).
    expect([hero.width, hero.height]).toEqual([256, 144])
    expect(hero.srcset).toMatch(/hero-256\.\w+\.jpg 256w$/)
    expect([card.width, card.height]).toEqual([256, 192])
    expect(await listFiles(path.join(root, '.seedream'))).toEqual([])
    expect(files.filter(f => f.endsWith('.jpg'))).toHaveLength(2)
  })

  it('draws the same picture for the same prompt and another for another prompt', async () => {
    const root = await copyFixture('vite-one')
    const build = () => withEnv({}, () => viteBuild(root, { provider: 'placeholder', widths: [512], formats: ['png'] }))
    const pixels = async (r: Awaited<ReturnType<typeof build>>) =>
      sharp(path.join(r.outDir, r.files.find(f => f.endsWith('.png'))!)).raw().toBuffer()
    const first = await pixels(await build())
    const again = await pixels(await build())
    expect(first.equals(again)).toBe(true)
    const config = path.join(root, 'seedream.config.json')
    await writeFile(config, (await readFile(config, 'utf8')).replace('lighthouse', 'windmill'))
    const other = await pixels(await build())
    expect(other.length).toBe(first.length)
    expect(other.equals(first)).toBe(false)
  })

  it('is visibly marked as a placeholder, with the prompt and size', () => {
    const picture = resolveSpec({ prompt: 'A <b> & "c"', size: '1K' }, { name: 'x', provider: 'placeholder', output: {} }).picture
    const svg = placeholderSvg(picture, 0)
    expect(svg).toContain('>PLACEHOLDER</text>')
    expect(svg).toContain('A &#60;b&#62; &#38; &#34;c&#34;')
    expect(svg).toContain('1024×1024 · seedream-4.5')
  })

  it('sizes every preset and ratio the way the API does', () => {
    const size = (spec: object) => requestedSize(resolveSpec({ prompt: 'x', ...spec }, { name: 'x', provider: 'placeholder', output: {} }).picture)
    expect(size({})).toEqual({ width: 2048, height: 2048 })
    expect(size({ size: '4K', aspect_ratio: '9:16' })).toEqual({ width: 2304, height: 4096 })
    expect(size({ size: '1K', aspect_ratio: '21:9' })).toEqual({ width: 1024, height: 448 })
    expect(size({ model: 'seedream-4', size: 'custom', width: 1500, height: 2500 })).toEqual({ width: 1472, height: 2496 })
  })
})

describe('placeholders never ship by accident', () => {
  const options: Options = { provider: 'placeholder', widths: [256], formats: ['jpeg'] }

  it('a production build counts them and warns by name; allowPlaceholders keeps it quiet', async () => {
    const root = await copyFixture('vite-basic')
    const { logs } = await withEnv({}, () => viteBuild(root, options))
    const text = logs.join('\n')
    expect(text).toMatch(/0 generated \(~\$0\.00\), 0 reused, 2 placeholder\(s\);/)
    expect(text).toMatch(/2 picture\(s\) of this production build are offline placeholders, marked PLACEHOLDER: "card" \(src\/card\.seedream\.json\), "hero" \(seedream\.config\.mjs\)\. To ship real pictures, set a provider and its key, or `allowPlaceholders: true`/)
    const allowed = await withEnv({}, () => viteBuild(root, { ...options, allowPlaceholders: true }))
    expect(allowed.logs.join('\n')).toMatch(/2 placeholder\(s\);/)
    expect(allowed.logs.join('\n')).not.toMatch(/offline placeholders, marked/)
    const development = await withEnv({}, () => viteBuild(root, options, { mode: 'development' }))
    expect(development.logs.join('\n')).not.toMatch(/offline placeholders, marked/)
  })

  it.each([['CI', { CI: 'true' }], ['frozen', { SEEDREAM_FROZEN: '1' }]])('a %s build refuses them before any work, naming each spec, unless allowed', async (mode, env) => {
    const root = await copyFixture('vite-basic')
    await expect(withEnv(env, () => viteBuild(root, options))).rejects.toThrow(
      new RegExp(`2 spec\\(s\\) use the offline placeholder provider, and a ${mode} build does not ship placeholders: "hero" \\(seedream\\.config\\.mjs\\), "card" \\(src/card\\.seedream\\.json\\)\\. Fix: set a provider and its key, or \`allowPlaceholders: true\``))
    expect(await listFiles(path.join(root, 'dist'))).toEqual([])
    const allowed = await withEnv(env, () => viteBuild(root, { ...options, allowPlaceholders: true }))
    expect(allowed.files.filter(f => f.endsWith('.jpg'))).toHaveLength(2)
  })
})
