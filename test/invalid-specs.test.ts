import type { SegmindServer } from './servers/segmind'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUNDLERS } from './bundlers'
import { copyFixture, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

const url = (n: number) => `https://example.com/ref-${n}.png`
const p = 'A quiet harbour at night'

/** [spec, the field its error must name]: one bad field each, so the message must point at it alone. */
const CASES: Array<[unknown, string]> = [
  [{}, 'prompt'],
  [{ prompt: '' }, 'prompt'],
  [{ prompt: '   ' }, 'prompt'],
  [{ prompt: 42 }, 'prompt'],
  [{ prompt: p, model: 'seedream-5' }, 'model'],
  [{ prompt: p, model: 'Seedream-4.5' }, 'model'],
  [{ prompt: p, size: '3K' }, 'size'],
  [{ prompt: p, size: '2k' }, 'size'],
  [{ prompt: p, size: 'custom' }, 'width'],
  [{ prompt: p, size: 'custom', width: 2048 }, 'height'],
  [{ prompt: p, width: 2048 }, 'width'],
  [{ prompt: p, size: '2K', height: 20 }, 'height'],
  [{ prompt: p, size: '4K', width: 'big' }, 'width'],
  [{ prompt: p, size: 'custom', width: 1000, height: 2048 }, 'width'],
  [{ prompt: p, size: 'custom', width: 5000, height: 2048 }, 'width'],
  [{ prompt: p, size: 'custom', width: 2048, height: 'big' }, 'height'],
  [{ prompt: p, size: 'custom', width: 2048.5, height: 2048 }, 'width'],
  [{ prompt: p, aspect_ratio: '5:4' }, 'aspect_ratio'],
  [{ prompt: p, aspect_ratio: '16/9' }, 'aspect_ratio'],
  [{ prompt: p, aspect_ratio: 'match_input_image' }, 'aspect_ratio'],
  [{ prompt: p, max_images: 0 }, 'max_images'],
  [{ prompt: p, max_images: 16 }, 'max_images'],
  [{ prompt: p, max_images: 2.5 }, 'max_images'],
  [{ prompt: p, image_input: [] }, 'image_input'],
  [{ prompt: p, image_input: Array.from({ length: 15 }, (_, i) => url(i)) }, 'image_input'],
  [{ prompt: p, image_input: [url(1), url(2), url(3), url(4)], max_images: 12 }, 'image_input'],
  [{ prompt: p, image_input: ['not a url'] }, 'image_input[0]'],
  [{ prompt: p, image_input: 'ftp://example.com/a.png' }, 'image_input[0]'],
  [{ prompt: p, image_input: [url(1), 42] }, 'image_input[1]'],
  [{ prompt: p, sequential_image_generation: 'on' }, 'sequential_image_generation'],
  [{ prompt: p, seed: -5 }, 'seed'],
  [{ prompt: p, seed: 'abc' }, 'seed'],
  [{ prompt: p, aspectRatio: '16:9' }, 'aspectRatio'],
  [{ prompt: p, negative_prompt: 'blur' }, 'negative_prompt'],
  [{ prompt: p, alt: 5 }, 'alt'],
  [{ prompt: p, widths: [] }, 'widths'],
  [{ prompt: p, widths: [0] }, 'widths[0]'],
  [{ prompt: p, formats: ['gif'] }, 'formats[0]'],
  [{ prompt: p, quality: 0 }, 'quality'],
  [{ prompt: p, quality: { avif: 101 } }, 'quality.avif'],
  [{ prompt: p, quality: { heic: 50 } }, 'quality.heic'],
  [{ prompt: p, placeholder: 'fancy' }, 'placeholder'],
  [{ prompt: p, provider: 'openai' }, 'provider'],
]

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r }, 'once')

async function failure(options = {}): Promise<Error> {
  const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
  const error = await withEnv(env, () => viteBuild(root, { retries: 0, ...options })).then(() => undefined, e => e as Error)
  if (!error)
    throw new Error('the build was expected to fail')
  return error
}

describe('invalid specs fail the build before any request', () => {
  it.each(CASES)('%j names %s', async (spec, field) => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: spec } }))
    const error = await failure()
    expect(error.message).toContain('spec "hero" in seedream.config.json')
    const issues = error.message.split('\n').filter(l => l.startsWith('  - '))
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatch(new RegExp(`^  - ${field.replace(/[.[\]()]/g, '\\$&')}: \\S`))
    expect(server.state.requests).toHaveLength(0)
  })

  it('says what is allowed', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p, aspect_ratio: '5:4' } } }))
    expect((await failure()).message).toContain('must be one of "match_input_image", "1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9" (got "5:4")')
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p, aspectRatio: '16:9' } } }))
    expect((await failure()).message).toContain('did you mean "aspect_ratio"?')
  })

  it('names both fields when references and outputs together exceed 15', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p, image_input: [url(1), url(2)], max_images: 14 } } }))
    expect((await failure()).message).toContain('image_input: 2 reference images + max_images 14 = 16; image_input and max_images together may be at most 15')
    expect(server.state.requests).toHaveLength(0)
  })

  it('checks spec files that are not imported yet, and names the file', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p } } }))
    await mkdir(path.join(root, 'src/cards'), { recursive: true })
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'prompt: A fox\nmax_images: 20\n')
    const error = await failure()
    expect(error.message).toContain(`spec "fox" in ${path.join('src', 'cards', 'fox.seedream.yaml')}`)
    expect(error.message).toContain('max_images: must be a whole number from 1 to 15 (got 20)')
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'just a prompt\n')
    expect((await failure()).message).toContain('(spec): must be an object with at least a prompt (got "just a prompt")')
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'prompt: [unclosed\n')
    expect((await failure()).message).toMatch(/fox\.seedream\.yaml is not valid YAML/)
    expect(server.state.requests).toHaveLength(0)
  })

  it('fails a frozen build on a spec file nobody imports, though it checks it beside the build\'s start', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p } } }))
    await mkdir(path.join(root, 'src/cards'), { recursive: true })
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'prompt: A fox\nmax_images: 20\n')
    // Offline pictures, allowed: the build itself would pass; the spec file alone fails it.
    const error = await failure({ frozen: true, provider: 'placeholder', allowPlaceholders: true, widths: [64], formats: ['jpeg'] })
    expect(error.message).toContain(`spec "fox" in ${path.join('src', 'cards', 'fox.seedream.yaml')}`)
    expect(error.message).toContain('max_images: must be a whole number from 1 to 15 (got 20)')
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'prompt: A fox\n')
    await withEnv({}, () => viteBuild(root, { frozen: true, provider: 'placeholder', allowPlaceholders: true, widths: [64], formats: ['jpeg'] }))
    expect(server.state.requests).toHaveLength(0)
  })

  it('checks the global options too', async () => {
    await writeFile(path.join(root, 'src/cards/fox.seedream.yaml'), 'prompt: A fox\n')
    const error = await failure({ formats: ['gif'] })
    expect(error.message).toContain('spec "(options)"')
    expect(error.message).toContain('formats[0]: must be one of')
    expect(server.state.requests).toHaveLength(0)
  })

  it('names a spec that does not exist, and the ones that do', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { lighthouse: { prompt: p } } }))
    const error = await failure()
    expect(error.message).toContain('No spec named "hero" in seedream.config.json. Known specs: lighthouse.')
    expect(server.state.requests).toHaveLength(0)
  })

  it('names the file that imports a misspelt name, and the name it probably meant', async () => {
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: p }, card: { prompt: p } } }))
    await writeFile(path.join(root, 'src/main.js'), 'import hero from \'heor?seedream\'\nglobalThis.__seedream = { hero }\n')
    const error = await failure()
    expect(error.message).toContain('src/main.js imports \'heor?seedream\': No spec named "heor" in seedream.config.json. Did you mean "hero"? Known specs: hero, card.')
    expect(server.state.requests).toHaveLength(0)
  })
})

describe('a user error is its message, without our stack, in every bundler', () => {
  const builds = { vite: (root: string) => viteBuild(root, { widths: [64] }), ...BUNDLERS }
  it.each(Object.keys(builds))('%s', async (name) => {
    const root = await copyFixture('bundlers')
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: { prompt: 'x', size: '3K' } } }))
    const build = builds[name as keyof typeof builds] as (root: string, options: object) => Promise<unknown>
    const error: any = await withEnv({ SEGMIND_API_KEY: TEST_KEY }, () => build(root, { widths: [64] })).then(() => undefined, e => e)
    // What each one prints: Vite and Rollup the stack, webpack its stats, esbuild its message (with a location taken from the stack).
    const printed = `${error?.stack}\n${error?.message}`
    expect(printed).toMatch(/Invalid seedream spec "hero" in seedream\.config\.json:[\s\S]*- size:/)
    // The bundler's own frames may follow; none is ours (src/, or dist/'s chunks).
    expect(printed).not.toMatch(new RegExp(`${path.resolve(import.meta.dirname, '..')}/(?:src|dist)/`))
    expect(printed).not.toMatch(/chunk-[A-Z0-9]{8}\.js/)
  })
})
