import type { SeedreamImage } from '../src/model/types'
import type { HotContext, PictureData } from '../src/project/code/runtime'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { transform } from 'esbuild'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RUNTIME_ID } from '../src/model/ids'
import { RUNTIME_CODE } from '../src/project/code/module'
import * as source from '../src/project/code/runtime'

type Runtime = Pick<typeof source, 'withHtml' | 'keepUpdated'>

/**
 * The runtime code the built plugin serves, asked of dist/vite.js in a plain Node process: Vitest
 * would compile dist again on import, and the point is what tsup's output says.
 */
let distCode: Promise<string> | undefined
function distRuntimeCode(): Promise<string> {
  distCode ??= promisify(execFile)(process.execPath, ['--input-type=module', '-e', distScript()]).then(r => r.stdout)
  return distCode
}

function distScript(): string {
  return `const { default: seedream } = await import(${JSON.stringify(pathToFileURL(path.resolve(import.meta.dirname, '../dist/vite.js')).href)});
process.stdout.write(await seedream({}).load.handler.call({}, ${JSON.stringify(RUNTIME_ID)}));`
}

/** Imports code as Node's own ES module loader does, as a browser would: no compiler in between. */
const served = (code: string): Promise<Runtime> => import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)

const runtimes: Array<[string, () => Promise<Runtime>]> = [
  ['the TypeScript functions', async () => source],
  ['the code served from src', () => served(RUNTIME_CODE)],
  ['the code served from dist', async () => served(await distRuntimeCode())],
]

const pictures: PictureData[] = [
  { src: '/a/x-640.jpg?v=1&w=2', width: 640, height: 360, srcset: '/a/x-320.jpg 320w, /a/x-640.jpg?v=1&w=2 640w', sources: [{ type: 'image/avif', srcset: '/a/x-320.avif 320w, /a/"q".avif 640w' }, { type: 'image/webp', srcset: '/a/<x>.webp 640w' }], format: 'jpeg', placeholder: 'data:x', color: '#112233' },
  { src: '/b.png', width: 10, height: 20, srcset: '/b.png 10w', sources: [], format: 'png', color: '#000000' },
]
const alt = 'Storm & "waves" <sea> \'ok\''
const sizes = '(min-width: 800px) 50vw, 100vw & <x>'
// What the runtime written as a string produced for these, before it became TypeScript.
const sizesAttr = 'sizes="(min-width: 800px) 50vw, 100vw &amp; &lt;x&gt;"'
const altAttr = 'alt="Storm &amp; &quot;waves&quot; &lt;sea&gt; \'ok\'"'
const expectedHtml = [
  `<picture><source type="image/avif" srcset="/a/x-320.avif 320w, /a/&quot;q&quot;.avif 640w" ${sizesAttr}>`
  + `<source type="image/webp" srcset="/a/&lt;x&gt;.webp 640w" ${sizesAttr}>`
  + `<img src="/a/x-640.jpg?v=1&amp;w=2" srcset="/a/x-320.jpg 320w, /a/x-640.jpg?v=1&amp;w=2 640w" ${sizesAttr} width="640" height="360" ${altAttr} loading="eager" decoding="async"></picture>`,
  `<picture><img src="/b.png" srcset="/b.png 10w" ${sizesAttr} width="10" height="20" ${altAttr} loading="eager" decoding="async"></picture>`,
]

function version(n: number): SeedreamImage {
  const images = source.withHtml([
    { src: `/v${n}/a.jpg`, width: 8, height: 8, srcset: `/v${n}/a.jpg 8w`, sources: [{ type: 'image/webp', srcset: `/v${n}/a.webp 8w` }], format: 'jpeg', color: '#000000' },
  ], 'alt', { sizes: '100vw', loading: 'lazy', priority: false, imgStyle: false })
  return { ...images[0]!, alt: 'alt', prompt: `prompt ${n}`, images }
}

/** An `<img>` or `<source>` as far as the runtime touches one. */
const element = (attrs: Record<string, string>) => ({
  attrs,
  getAttribute: (name: string) => attrs[name] ?? null,
  setAttribute: (name: string, value: string) => { attrs[name] = value },
})

afterEach(() => vi.unstubAllGlobals())

describe('the runtime module', () => {
  it.each([['src', () => RUNTIME_CODE], ['dist', distRuntimeCode]])('served from %s is a plain ES module with no compiler helpers', async (_, code) => {
    const text = await code()
    await expect(transform(text, { loader: 'js', format: 'esm' })).resolves.toBeDefined()
    expect(text).not.toMatch(/\b__\w+\(|^\s*import\b/m)
    expect(Object.keys(await served(text)).sort()).toEqual(['esc', 'keepUpdated', 'swapUrls', 'withHtml'])
  })

  describe.each(runtimes)('%s', (_, load) => {
    it('withHtml builds the same markup as before: escaped values, same attribute order, fields kept in order', async () => {
      const { withHtml } = await load()
      const out = withHtml(pictures, alt, { sizes, loading: 'eager', priority: false, imgStyle: false })
      expect(out.map(p => p.html)).toEqual(expectedHtml)
      expect(Object.keys(out[0]!)).toEqual(['src', 'width', 'height', 'srcset', 'sources', 'format', 'placeholder', 'color', 'html'])
    })

    it('withHtml marks a priority picture eager and high-priority, and keeps the <img> inside its container', async () => {
      const { withHtml } = await load()
      const [out] = withHtml(pictures.slice(1), alt, { sizes, loading: 'eager', priority: true, imgStyle: 'max-width:100%;height:auto' })
      expect(out!.html).toContain(` ${altAttr} loading="eager" fetchpriority="high" decoding="async" style="max-width:100%;height:auto"></picture>`)
    })

    it('keepUpdated without a document (SSR) fills one object in place and touches no DOM', async () => {
      const { keepUpdated } = await load()
      const v1 = version(1)
      expect(keepUpdated(undefined, v1)).toBe(v1)
      const hot: HotContext = { data: {} }
      const image = keepUpdated(hot, v1)
      expect(image).toBe(v1)
      const v2 = version(2)
      expect(keepUpdated(hot, v2)).toBe(image)
      expect(image).toEqual(v2)
      expect(hot.data).toEqual({ image, previous: v2 })
    })

    it('keepUpdated in a page switches elements showing old URLs, and announces only a real update', async () => {
      const { keepUpdated } = await load()
      const img = element({ src: '/v1/a.jpg', srcset: '/v1/a.jpg 8w' })
      const sourceEl = element({ srcset: '/v1/a.webp 8w' })
      const other = element({ src: '/other.jpg' })
      vi.stubGlobal('document', { querySelectorAll: (selector: string) => selector === 'img, source' ? [img, sourceEl, other] : [] })
      const events: unknown[] = []
      const win = new EventTarget()
      win.addEventListener('seedream:update', e => events.push((e as CustomEvent).detail))
      vi.stubGlobal('window', win)

      const hot: HotContext = { data: {} }
      const image = keepUpdated(hot, version(1))
      expect(events).toEqual([])
      expect(img.attrs).toEqual({ src: '/v1/a.jpg', srcset: '/v1/a.jpg 8w' })
      keepUpdated(hot, version(2))
      expect(img.attrs).toEqual({ src: '/v2/a.jpg', srcset: '/v2/a.jpg 8w' })
      expect(sourceEl.attrs).toEqual({ srcset: '/v2/a.webp 8w' })
      expect(other.attrs).toEqual({ src: '/other.jpg' })
      expect(events).toHaveLength(1)
      expect(events[0]).toBe(image)
      expect(image.src).toBe('/v2/a.jpg')
    })
  })
})
