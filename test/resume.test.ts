import type { SegmindServer } from './servers/segmind'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { copyFixture, TEST_KEY } from './helpers'
import { keptPictures, runCli, runVite, startCli, writeProject } from './ledger-harness'
import { startSegmindServer } from './servers/segmind'

let server: SegmindServer
afterEach(() => server.close())

/** Polls a condition that another process makes true (a file appearing), without a fixed sleep. */
async function until(condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!await condition()) {
    if (Date.now() > end)
      throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

describe('a paid job outlives the process that submitted it', () => {
  it('kill -9 during a v2 wait: the next run resumes the journaled job, paying once', async () => {
    server = await startSegmindServer({ keys: [TEST_KEY] })
    server.v2.settings.pollsBeforeDone = 1_000_000
    const root = await copyFixture('vite-one')
    await writeProject(root, { model: 'seedream-4.5' }, { lockStale: 2000 })
    const victim = startCli(root, server, ['generate'])
    const jobs = path.join(root, '.seedream/.jobs')
    await until(async () => (await readdir(jobs, { recursive: true }).catch(() => [])).some(f => String(f).endsWith('job-0.json')))
    victim.child.kill('SIGKILL')
    expect((await victim.done).signal).toBe('SIGKILL')
    // The job finishes on Segmind's side while nobody waits for it.
    server.v2.settings.pollsBeforeDone = 1
    const next = await runCli(root, server)
    expect(next.ok, next.text).toBe(true)
    expect(next.text).toMatch(/resuming Segmind job job-1/)
    await server.settled()
    expect(server.generations()).toHaveLength(1)
    expect(server.billedPictures()).toBe(1)
    const kept = await keptPictures(root)
    expect(kept.stored).toEqual(server.billedSha256())
    expect(kept.journaled).toEqual([])
  }, 60_000)

  it('a journaled job Segmind no longer knows is said to be lost, then submitted again', async () => {
    server = await startSegmindServer({ keys: [TEST_KEY] })
    const root = await copyFixture('vite-one')
    await writeProject(root, { model: 'seedream-4.5' })
    server.failPath(/\/status$/, { status: 502 }, { status: 502 }, { status: 502 })
    expect((await runVite(root, server)).ok).toBe(false)
    server.v2.jobs.delete('job-1')
    const next = await runVite(root, server)
    expect(next.ok, next.text).toBe(true)
    expect(next.text).toMatch(/no longer knows job job-1 .* its picture is lost; submitting a new job/)
    await server.settled()
    expect(server.generations()).toHaveLength(2)
    expect((await keptPictures(root)).stored).toHaveLength(1)
  })
})

/** A seedream-4 series whose second call was reset: one paid picture waits in the journal. */
async function seriesCutAfterOne(maxImages: number): Promise<string> {
  server = await startSegmindServer({ keys: [TEST_KEY] })
  const root = await copyFixture('vite-one')
  await writeProject(root, { model: 'seedream-4', max_images: maxImages })
  server.fail({}, { reset: true })
  expect((await runVite(root, server)).ok).toBe(false)
  expect((await keptPictures(root)).journaled).toHaveLength(1)
  return root
}

describe('the budget counts what is still to pay for', () => {
  it('a series resumed from the journal is charged for its missing pictures only', async () => {
    const root = await seriesCutAfterOne(3)
    // 2 pictures are left to pay for: a budget of 2 lets the build finish them.
    await writeProject(root, { model: 'seedream-4', max_images: 3 }, { budget: { maxImages: 2 } })
    const build = await runVite(root, server)
    expect(build.ok, build.text).toBe(true)
    expect(server.generations()).toHaveLength(4)
    expect((await keptPictures(root)).stored).toHaveLength(3)
  })
})

describe('the journal is untrusted', () => {
  it('a picture file for a slot the spec does not have is ignored, not stored', async () => {
    const root = await seriesCutAfterOne(2)
    const jobs = path.join(root, '.seedream/.jobs')
    const [dir] = await readdir(jobs)
    const kept = await readFile(path.join(jobs, dir!, '0.jpeg'))
    await writeFile(path.join(jobs, dir!, '7.jpeg'), kept)
    await writeFile(path.join(jobs, dir!, '0.png'), kept)
    const build = await runVite(root, server)
    expect(build.ok, build.text).toBe(true)
    expect(server.generations()).toHaveLength(3)
    expect((await keptPictures(root)).stored).toEqual(server.billedSha256())
  })
})

describe('free plans', () => {
  it('at 2 requests a window, 8 new images finish: the queue learns the limit and waits for the reset the host names', async () => {
    server = await startSegmindServer({ keys: [TEST_KEY], rateLimit: { perWindow: 2, windowMs: 1000, headers: 'reset-at' } })
    const root = await copyFixture('vite-one')
    const images = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [i ? `pic${i}` : 'hero', { prompt: `picture number ${i}`, model: 'seedream-4', size: '1K' }]))
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images, widths: [64], formats: ['jpeg'], retryDelay: 5, retries: 4 }))
    const run = await runCli(root, server)
    expect(run.ok, run.text).toBe(true)
    expect(JSON.parse(run.text.slice(run.text.indexOf('{'))).failed).toEqual([])
    await server.settled()
    expect(server.billedPictures()).toBe(8)
    expect((await keptPictures(root)).stored).toHaveLength(8)
    // Only the requests already in flight when the limit was learnt meet a 429; the gate holds back the rest.
    expect(server.state.rateLimited).toBeLessThanOrEqual(3)
  }, 60_000)
})

describe('a stored entry is checked before it is used', () => {
  async function cachedProject() {
    server = await startSegmindServer({ keys: [TEST_KEY] })
    const root = await copyFixture('vite-one')
    await writeProject(root, { model: 'seedream-4' })
    expect((await runVite(root, server)).ok).toBe(true)
    const store = path.join(root, '.seedream')
    const dir = path.join(store, (await readdir(store)).find(n => /^[0-9a-f]{16}$/.test(n))!)
    return { root, dir }
  }

  it.each([
    ['a truncated original', async (dir: string) => { const f = path.join(dir, '0.jpeg'); await writeFile(f, (await readFile(f)).subarray(0, 1000)) }, /0\.jpeg is 1000 bytes, not the \d+ meta\.json records/],
    ['an original with other bytes of the same size', async (dir: string) => { const f = path.join(dir, '0.jpeg'); const b = await readFile(f); b.writeUInt8(b.readUInt8(b.length - 10) ^ 0xFF, b.length - 10); await writeFile(f, b) }, /does not match the sha256 in meta\.json/],
    ['a deleted meta.json', async (dir: string) => { const { rm } = await import('node:fs/promises'); await rm(path.join(dir, 'meta.json')) }, /it has no meta\.json/],
    ['an edited meta.json', async (dir: string) => { const f = path.join(dir, 'meta.json'); await writeFile(f, (await readFile(f, 'utf8')).replace(/"key": "\w/, '"key": "x')) }, /meta\.json names key/],
  ])('%s: named with its spec, folder and fix, never paid for again', async (_, damage, reason) => {
    const { root, dir } = await cachedProject()
    await damage(dir)
    // The variants are cached: a sha mismatch only shows when the original is read, so drop them.
    const { rm } = await import('node:fs/promises')
    await rm(path.join(root, 'node_modules/.cache'), { recursive: true, force: true })
    for (let i = 0; i < 2; i++) {
      const build = await runVite(root, server)
      expect(build.ok).toBe(false)
      expect(build.text).toMatch(reason)
      expect(build.text).toContain('"hero" (seedream.config.json)')
      expect(build.text).toContain(path.basename(dir))
      expect(build.text).toContain('npx seedream generate --repair')
    }
    expect(server.generations()).toHaveLength(1)
    const status = await runCli(root, server, ['status', '--verify', '--check'])
    expect(status.ok).toBe(false)
    expect(status.text).toMatch(new RegExp(`corrupt\\s+\\.seedream/${path.basename(dir)}`))
    // The fix regenerates it once and replaces the folder; later builds use it.
    const repaired = await runCli(root, server, ['generate', '--repair'])
    expect(repaired.ok, repaired.text).toBe(true)
    expect((await runVite(root, server)).ok).toBe(true)
    expect(server.generations()).toHaveLength(2)
    expect((await keptPictures(root)).unreadable).toEqual([])
    expect((await runCli(root, server, ['status', '--verify', '--check'])).ok).toBe(true)
  })
})
