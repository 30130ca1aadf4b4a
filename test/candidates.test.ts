import type { ChildProcess } from 'node:child_process'
import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import http from 'node:http'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { TEST_KEY, useServerAndFixture, viteBuild } from './helpers'

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js')

let api: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { api = s; root = r })

const spec = (extra: Record<string, unknown> = {}) => ({ prompt: 'A lighthouse on a cliff in a storm', size: '1K', aspect_ratio: '3:2', candidates: 3, ...extra })
const configure = (extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ ...options, images: { hero: spec(extra) } }))
const build = (options: Record<string, unknown> = {}) => viteBuild(root, { apiKey: TEST_KEY, apiUrl: api.url, widths: [128], formats: ['jpeg'], ...options })

interface Run { code: number | null, stdout: string, stderr: string }
function seedream(args: string[], env: Record<string, string> = {}): Promise<Run> & { child: ChildProcess } {
  const child = spawn(process.execPath, [CLI, ...args, '--root', root], { env: { PATH: process.env.PATH!, SEGMIND_API_URL: api.url, SEGMIND_API_KEY: TEST_KEY, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => { stderr += d })
  return Object.assign(new Promise<Run>(resolve => child.on('close', code => resolve({ code, stdout, stderr }))), { child })
}

/** The store's entries: the candidate number (from 1) and sha256 of each. */
async function stored(): Promise<Array<{ number: number, sha256: string }>> {
  const store = path.join(root, '.seedream')
  const dirs = (await readdir(store).catch(() => [])).filter(d => /^[0-9a-f]{16}$/.test(d))
  const metas = await Promise.all(dirs.map(async d => JSON.parse(await readFile(path.join(store, d, 'meta.json'), 'utf8'))))
  return metas.map(m => ({ number: (m.candidate ?? 0) + 1, sha256: m.images[0].sha256 })).sort((a, b) => a.number - b.number)
}

describe('candidates and picks', () => {
  it('pays for N candidates once, within the budget, and ships the pick with no call', async () => {
    await configure({}, { budget: { maxImages: 2 } })
    await expect(build()).rejects.toThrow(/would generate 3 image\(s\), about \$0\.12, over the budget of 2 image\(s\)/)
    expect(api.generations()).toHaveLength(0)

    await configure()
    await build()
    expect(api.generations()).toHaveLength(3)
    expect((await stored()).map(c => c.number)).toEqual([1, 2, 3])
    expect(new Set(api.billedSha256())).toEqual(new Set((await stored()).map(c => c.sha256)))
    const status = JSON.parse((await seedream(['status', '--json'])).stdout).specs[0]
    expect(status).toMatchObject({ state: 'cached', candidates: [1, 2, 3], pick: 1 })
    const keys = (await stored()).map(c => c.sha256)

    expect((await seedream(['pick', 'hero', '4'])).stderr).toContain('"hero" (seedream.config.json) has no candidate 4; it has 1, 2, 3.')
    const picked = await seedream(['pick', 'hero', '2'])
    expect(picked.code).toBe(0)
    expect(JSON.parse(await readFile(path.join(root, '.seedream/picks', `${status.key.slice(0, 16)}.json`), 'utf8'))).toMatchObject({ name: 'hero', candidate: 2 })
    expect((await seedream(['status'])).stdout).toMatch(/cached\s+hero \(seedream\.config\.json\)\s+candidate 2 of 3 \(picked\)/)
    // A frozen build needs the pick only: with the others gone, it still ships, and nothing is called.
    const prune = await seedream(['prune', '--drop-unpicked', '--yes'])
    expect(prune.stdout).toMatch(/Removed 2 folder\(s\), \d+\.\d MiB freed\./)
    expect((await stored()).map(c => c.number)).toEqual([2])
    await build({ frozen: true })
    await build()
    expect(api.generations()).toHaveLength(3)
    expect((await stored())[0]!.sha256).toBe(keys[1])
  })

  it('rerolls one candidate after the price is confirmed, never in frozen mode, and keeps the pick', async () => {
    await configure({ candidates: 1 })
    await build()
    expect(api.generations()).toHaveLength(1)
    const unconfirmed = await seedream(['reroll', 'hero'])
    expect(unconfirmed).toMatchObject({ code: 1 })
    expect(unconfirmed.stderr).toContain('Generate one more candidate of "hero" for about $0.04? Nothing was generated: pass --yes to confirm.')
    expect((await seedream(['reroll', 'hero', '--yes', '--frozen'])).stderr).toContain('Frozen mode: "hero" (seedream.config.json) gets no new candidate')
    expect(api.generations()).toHaveLength(1)
    const rerolled = await seedream(['reroll', 'hero', '--yes'])
    expect(rerolled.stderr).toContain('"hero" has candidate 2 now')
    expect(api.generations()).toHaveLength(2)
    expect((await stored()).map(c => c.number)).toEqual([1, 2])
    expect(new Set(api.billedSha256())).toEqual(new Set((await stored()).map(c => c.sha256)))
    // The build still ships candidate 1 (none was picked), and pays nothing more; prune keeps both.
    await build()
    expect(api.generations()).toHaveLength(2)
    expect((await seedream(['prune'])).stdout).toContain('Nothing to prune.')
  })

  it('names a bad pick file and a bad candidates value before any call', async () => {
    await configure({ candidates: 9 })
    await expect(build()).rejects.toThrow(/"hero".*candidates.*1.*8/s)
    await configure()
    await build()
    const { key } = JSON.parse((await seedream(['status', '--json'])).stdout).specs[0]
    await mkdir(path.join(root, '.seedream/picks'))
    await writeFile(path.join(root, '.seedream/picks', `${key.slice(0, 16)}.json`), '{"candidate": "third"}')
    await expect(build()).rejects.toThrow(/"hero": \.seedream\/picks\/[0-9a-f]{16}\.json is not a pick of this spec .*npx seedream pick hero <n>/)
    expect(api.generations()).toHaveLength(3)
  })

  it('serves the review page offline (placeholders) on 127.0.0.1, refusing other hosts and other origins', async () => {
    await configure({ provider: 'placeholder' })
    const server = seedream(['review', '--port', '0'], { SEGMIND_API_KEY: '' })
    const url = await new Promise<string>((resolve, reject) => {
      server.child.stderr!.on('data', d => /Review page: (\S+)/.test(String(d)) && resolve(/Review page: (\S+)/.exec(String(d))![1]!))
      server.child.once('exit', () => reject(new Error('the review server exited')))
    })
    try {
      const taken = await seedream(['review', '--port', new URL(url).port], { SEGMIND_API_KEY: '' })
      expect([taken.code, taken.stderr]).toEqual([1, `seedream: Port ${new URL(url).port} of 127.0.0.1 is taken: pass another with --port (0 picks a free one).\n`])
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<title>Seedream review</title>')
      const { specs } = await (await fetch(`${url}api/specs`)).json()
      expect(specs).toMatchObject([{ name: 'hero', provider: 'placeholder', state: 'offline', pick: 1, candidates: [{ number: 1 }, { number: 2 }, { number: 3 }] }])
      const preview = await fetch(`${url}preview/${specs[0].id}/3/0?w=320`)
      expect([preview.status, preview.headers.get('content-type')]).toEqual([200, 'image/webp'])
      const post = (what: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${url}api/${what}`, { method: 'POST', headers: { 'content-type': 'application/json', 'origin': new URL(url).origin, ...headers }, body: JSON.stringify(body) })
      expect((await post('pick', { id: specs[0].id, candidate: 3 }, { origin: 'http://evil.example' })).status).toBe(403)
      // A page of another name that resolves to 127.0.0.1 (DNS rebinding) is not answered.
      const rebound = await new Promise<number>((resolve, reject) => http.get(`${url}api/specs`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      }).on('error', reject))
      expect(rebound).toBe(403)
      const reroll = await post('reroll', { id: specs[0].id, price: 0 })
      expect([reroll.status, (await reroll.json()).error]).toEqual([400, expect.stringContaining('drawn offline (placeholder provider)')])
      expect((await post('pick', { id: specs[0].id, candidate: 3 })).status).toBe(200)
      expect((await (await fetch(`${url}api/specs`)).json()).specs[0].pick).toBe(3)
    }
    finally {
      server.child.kill('SIGINT')
      await server
    }
    expect(api.generations()).toHaveLength(0)
  })
})
