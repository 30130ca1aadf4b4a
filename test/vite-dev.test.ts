import type { ViteDevServer } from 'vite'
import type { SegmindServer } from './servers/segmind'
import { readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { createServer } from 'vite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import seedream from '../src/vite'
import { copyFixture, TEST_KEY, until, watchHmr } from './helpers'
import { startSegmindServer } from './servers/segmind'

let api: SegmindServer
let vite: ViteDevServer
let base: string
let root: string
let updates: string[]
let socket: WebSocket

async function startVite(): Promise<void> {
  vite = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [seedream({ apiKey: TEST_KEY, apiUrl: api.url, widths: [64, 128], formats: ['avif', 'webp', 'jpeg'] })],
    server: { host: '127.0.0.1', port: 0, strictPort: false, watch: { usePolling: true, interval: 50 } },
  })
  await vite.listen()
  base = vite.resolvedUrls!.local[0]!.replace(/\/$/, '')
  ;({ socket, updates } = await watchHmr(base))
}

beforeEach(async () => {
  api = await startSegmindServer({ keys: [TEST_KEY] })
  root = await copyFixture('vite-basic')
  await startVite()
})

afterEach(async () => {
  socket.close()
  await vite.close()
  await api.close()
})

/** The image object a dev module exports, read from the code Vite serves. */
async function exported(url: string): Promise<any> {
  const code = await (await fetch(`${base}${url}${url.includes('?') ? '&' : '?'}t=${Date.now()}`)).text()
  const images = JSON.parse(code.match(/^const images = withHtml\((\[.*\]), alt, /m)![1]!)
  const alt = JSON.parse(code.match(/^const alt = (.*);$/m)![1]!)
  const prompt = JSON.parse(code.match(/^const prompt = (.*);$/m)![1]!)
  return { ...images[0], alt, prompt, images }
}

/** `until`, telling what hot updates came when it runs out. */
const waitFor = (check: () => boolean, what: string) => until(check, what, 30_000, () => `updates: ${updates.join(', ')}`)

const updated = (name: string) => updates.some(u => u.includes(name))

/**
 * Edits a file the way an editor's atomic save does, so the polling watcher sees one change of the
 * whole file (a write in place can be seen half done, as two changes: two hot updates). The new
 * text is written next to the root, outside what Vite watches.
 */
async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  expect(text).toContain(from)
  await writeFile(`${root}.edit`, text.replace(from, to))
  await rename(`${root}.edit`, file)
}

async function importUrls(): Promise<{ hero: string, card: string }> {
  const main = await (await fetch(`${base}/src/main.js`)).text()
  const find = (name: string) => main.match(new RegExp(`import \\w+ from "([^"]*${name}[^"]*)"`))![1]!
  return { hero: find('hero'), card: find('card') }
}

describe('vite dev server', () => {
  it('serves a placeholder at once, generates in the background, then hot-swaps the real picture', async () => {
    // Generations wait at the API until released: the module must answer without them.
    api.hold()
    const { hero: heroUrl } = await importUrls()
    const first = await exported(heroUrl)
    // Nothing is cached yet: the module answered while its generation was still pending.
    expect(api.generations().length).toBeLessThanOrEqual(2)
    expect(api.ledger).toEqual([])
    expect([first.width, first.height]).toEqual([128, 72])
    expect(first.src).toMatch(/^\/@seedream\/[0-9a-f]{16}\/[0-9a-f]{8}\/128\.jpg$/)

    api.release()
    await waitFor(() => updated('hero?seedream'), 'the hot update of hero')
    expect(updates.filter(u => u.startsWith('full-reload'))).toEqual([])
    const real = await exported(heroUrl)
    expect(real.src).not.toBe(first.src)
    // main.js imports the card too: its generation starts with hero's, its request may land just after.
    await waitFor(() => api.generations().length >= 2, 'the card\'s generation request')
    expect(api.generations()).toHaveLength(2)

    for (const url of [real.src, ...real.sources.flatMap((s: any) => s.srcset.split(', ').map((c: string) => c.split(' ')[0]))]) {
      const res = await fetch(`${base}${url}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toContain('immutable')
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata()
      expect(meta.width).toBe(Number(url.match(/\/(\d+)\.\w+$/)![1]))
      expect(res.headers.get('content-type')).toBe(({ heif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg' } as Record<string, string>)[meta.format!])
    }

    // The dev cache is untrusted too: a cut file, or a link out of the cache, is encoded again.
    const cached = path.join(root, 'node_modules/.cache/unplugin-seedream/dev', real.src.split('/').slice(2).join('-'))
    await writeFile(cached, 'garbage')
    const again = Buffer.from(await (await fetch(`${base}${real.src}`)).arrayBuffer())
    expect((await sharp(again).metadata()).width).toBe(128)
    await rm(cached)
    await symlink('/etc/hostname', cached)
    const linked = Buffer.from(await (await fetch(`${base}${real.src}`)).arrayBuffer())
    expect((await sharp(linked).metadata()).width).toBe(128)
  })

  it('a restarted dev server takes each picture\'s summary from its cache, checked, and makes it again when the file is not one', async () => {
    const { hero: heroUrl } = await importUrls()
    await exported(heroUrl)
    await waitFor(() => updated('hero?seedream'), 'the hot update of hero')
    const real = await exported(heroUrl)
    const summaryFile = path.join(root, 'node_modules/.cache/unplugin-seedream/dev', `${real.src.split('/').slice(2, 4).join('-')}.summary.json`)
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toEqual({ color: real.color, placeholder: real.placeholder })
    const restart = async () => {
      socket.close()
      await vite.close()
      await startVite()
      return exported(heroUrl)
    }
    // A summary of the right shape is used as it is: no original is decoded for it.
    await writeFile(summaryFile, JSON.stringify({ color: '#123456', placeholder: real.placeholder }))
    expect((await restart()).color).toBe('#123456')
    // One of another shape is made again from the original, and written back.
    await writeFile(summaryFile, JSON.stringify({ color: 'red', placeholder: 'javascript:alert(1)' }))
    expect((await restart()).color).toBe(real.color)
    expect(JSON.parse(await readFile(summaryFile, 'utf8')).color).toBe(real.color)
    expect(api.generations()).toHaveLength(2)
  })

  it('serves cached pictures at once, and an edited spec regenerates only its own image', async () => {
    const { hero: heroUrl, card: cardUrl } = await importUrls()
    await exported(heroUrl)
    await exported(cardUrl)
    await waitFor(() => updated('hero?seedream') && updated('card.seedream'), 'both generations')
    expect(api.generations()).toHaveLength(2)
    const hero = await exported(heroUrl)

    // As the browser does on each update message, fetch the module again. The new card's
    // generation waits at the API, so the module shows its placeholder until it is released.
    api.hold()
    updates.length = 0
    await edit(path.join(root, 'src/card.seedream.json'), 'red fox', 'grey wolf')
    await waitFor(() => updated('card.seedream'), 'the hot update of card')
    const waiting = await exported(cardUrl)
    expect(waiting.prompt).toContain('grey wolf')
    await waitFor(() => api.generations().length === 3, 'the card to be generated again')
    expect(api.generations()[2]!.body.prompt).toContain('grey wolf')
    // From here only the swap can update the card.
    updates.length = 0
    api.release()
    await waitFor(() => updated('card.seedream'), 'the swap of the new card')
    expect((await exported(cardUrl)).src).not.toBe(waiting.src)
    expect((await exported(heroUrl)).src).toBe(hero.src)

    updates.length = 0
    await edit(path.join(root, 'seedream.config.mjs'), 'A misty lake', 'A calm lake')
    await waitFor(() => updated('hero?seedream'), 'the hot update of hero after an alt edit')
    const renamed = await exported(heroUrl)
    expect(renamed.alt).toBe('A calm lake')
    expect(renamed.src).toBe(hero.src)
    expect(api.generations()).toHaveLength(3)
  })
})

describe('errors in the overlay', () => {
  it('a user error shows its message and hint in Vite\'s overlay, with no stack of ours', async () => {
    const errors: Array<{ message: string, stack: string }> = []
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data))
      if (msg.type === 'error')
        errors.push(msg.err)
    })
    await writeFile(path.join(root, 'src/main.js'), 'import hero from \'heor?seedream\'\nglobalThis.__seedream = { hero }\n')
    expect((await fetch(`${base}/src/main.js`)).status).toBe(500)
    await waitFor(() => errors.length > 0, 'the overlay\'s error')
    expect(errors[0]!.message).toContain('src/main.js imports \'heor?seedream\': No spec named "heor" in seedream.config.mjs. Did you mean "hero"?')
    expect(errors[0]!.stack).toBe('')
  })
})
