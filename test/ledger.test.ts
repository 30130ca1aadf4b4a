import type { Outcome } from './ledger-harness'
import type { ForeignServer } from './servers/base'
import type { SegmindServer } from './servers/segmind'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyFixture, TEST_KEY } from './helpers'
import { keptPictures, keyFragments, projectText, runCli, runVite, writeProject } from './ledger-harness'
import { rateLimited, startForeignServer, startSegmindServer } from './servers/segmind'

type Model = 'seedream-4' | 'seedream-4.5'

/** One fault and what the ledger must show after a run (and after a second run, when `then` is given). */
interface Row {
  fault: string
  model: Model
  spec?: object
  options?: object
  arrange: (s: SegmindServer, foreign: ForeignServer) => void
  ok: boolean
  billed: number
  /** Pictures kept: in the store, or in the journal for the next attempt. */
  kept: number
  calls: number
  /** What the run must say: why a billed picture was not kept, or what failed. */
  says?: RegExp
  then?: { billed: number, kept: number, calls: number }
}

const V1: Model = 'seedream-4'
const V2: Model = 'seedream-4.5'
const MAY = /may have been billed/
const FILES = /^\/files\//
const status = (code: number) => ({ status: code })
const retried = (fault: string, model: Model, f: object): Row => ({ fault, model, arrange: s => s.fail(f), ok: true, billed: 1, kept: 1, calls: 2 })

const ROWS: Row[] = [
  ...[V1, V2].flatMap(m => [
    retried('429 Retry-After seconds', m, rateLimited({ after: 200, as: 'seconds' })),
    retried('429 Retry-After HTTP date', m, rateLimited({ after: 200, as: 'date' })),
    retried('429 x-rate-limit-reset-at-utc', m, rateLimited({ after: 200, as: 'reset-at' })),
    retried('429 without a delay', m, rateLimited({ as: 'none' })),
    ...[500, 502, 503, 504].map(code => retried(String(code), m, status(code))),
    { fault: 'reset before headers', model: m, arrange: s => s.fail({ reset: true }), ok: false, billed: 0, kept: 0, calls: 1, says: MAY, then: { billed: 1, kept: 1, calls: 2 } },
    { fault: 'redirect to another origin', model: m, arrange: (s, f) => s.fail({ redirect: { status: 307, location: `${f.url}/steal` } }), ok: false, billed: 0, kept: 0, calls: 1, says: /redirected to http:\/\/127\.0\.0\.1:\d+; redirects of authenticated requests are not followed/ },
    { fault: 'key echoed in an error', model: m, arrange: s => s.fail({ status: 400, body: { error: `bad key ${TEST_KEY} in request` } }), ok: false, billed: 0, kept: 0, calls: 1, says: /bad key \*\*\* in request/ },
  ] satisfies Row[]),
  { fault: 'reset mid-body', model: V1, arrange: s => s.fail({ resetMidBody: true }), ok: false, billed: 1, kept: 0, calls: 1, says: MAY },
  { fault: 'client timeout, server completes', model: V1, options: { timeout: 400 }, arrange: s => s.fail({ latencyMs: 1200 }), ok: false, billed: 1, kept: 0, calls: 1, says: MAY },
  { fault: 'truncated 200, correct Content-Length', model: V1, arrange: s => s.fail({ truncate: true }), ok: false, billed: 1, kept: 0, calls: 1, says: /does not decode.*billed and is not stored/ },
  { fault: '200 with HTML', model: V1, arrange: s => s.fail({ notImage: `<html><body>Gateway login ${TEST_KEY}</body></html>` }), ok: false, billed: 1, kept: 0, calls: 1, says: /not an image.*text\/html.*Gateway login \*\*\*.*billed/ },
  { fault: '200 with JSON', model: V1, arrange: s => s.fail({ jsonBody: { status: 'ok', key: TEST_KEY } }), ok: false, billed: 1, kept: 0, calls: 1, says: /not an image.*application\/json.*billed/ },
  { fault: 'body over the size limit', model: V1, options: { maxImageBytes: 200_000 }, arrange: s => s.fail({ oversize: 400_000 }), ok: false, billed: 1, kept: 0, calls: 1, says: /more than 0\.2 MiB \(the maxImageBytes option\).*may have been billed/ },
  { fault: 'wrong-size image', model: V1, arrange: s => s.fail({ wrongSize: { width: 64, height: 64 } }), ok: false, billed: 1, kept: 0, calls: 1, says: /64×64 picture cannot answer.*billed and is not stored/ },
  { fault: 'series of 3, call 2 reset', model: V1, spec: { max_images: 3 }, arrange: s => s.fail({}, { reset: true }), ok: false, billed: 1, kept: 1, calls: 2, says: MAY, then: { billed: 3, kept: 3, calls: 4 } },
  { fault: 'v2 submit timeout, job completes', model: V2, options: { timeout: 400 }, arrange: (s) => { s.v2.settings.completeAfterMs = 50; s.fail({ latencyMs: 1200 }) }, ok: false, billed: 1, kept: 0, calls: 1, says: MAY },
  { fault: 'v2 status poll times out', model: V2, options: { timeout: 400 }, arrange: s => s.failPath(/\/status$/, { latencyMs: 1200 }), ok: true, billed: 1, kept: 1, calls: 1 },
  { fault: 'v2 job FAILs', model: V2, arrange: (s) => { s.v2.settings.failNext = true }, ok: false, billed: 0, kept: 0, calls: 1, says: /sensitive information.*FAILED; not billed/, then: { billed: 1, kept: 1, calls: 2 } },
  { fault: 'v2 download fails once', model: V2, arrange: s => s.failPath(FILES, status(500)), ok: true, billed: 1, kept: 1, calls: 1 },
  { fault: 'v2 download reset once', model: V2, arrange: s => s.failPath(FILES, { reset: true }), ok: true, billed: 1, kept: 1, calls: 1 },
  { fault: 'v2 download truncated', model: V2, arrange: s => s.failPath(FILES, { truncate: true }), ok: false, billed: 1, kept: 0, calls: 1, says: /does not decode.*stays in the journal, so building again downloads it again without paying/, then: { billed: 1, kept: 1, calls: 1 } },
  { fault: 'v2 status poll fails past retries', model: V2, arrange: s => s.failPath(/\/status$/, status(502), status(502), status(502)), ok: false, billed: 0, kept: 0, calls: 1, says: /502/, then: { billed: 1, kept: 1, calls: 1 } },
  { fault: 'v2 job URLs on another origin', model: V2, arrange: (s, f) => { s.v2.settings.foreignJobUrls = f.url }, ok: true, billed: 1, kept: 1, calls: 1 },
  { fault: 'v2 series as images[]', model: V2, spec: { max_images: 3, sequential_image_generation: 'auto' }, arrange: (s) => { s.v2.settings.resultShape = 'images' }, ok: true, billed: 3, kept: 3, calls: 1 },
  { fault: 'v2 series as one output string', model: V2, spec: { max_images: 3, sequential_image_generation: 'auto' }, arrange: (s) => { s.v2.settings.resultShape = 'string' }, ok: true, billed: 3, kept: 1, calls: 1, says: /returned 1 of the 3 picture\(s\) asked for/ },
  { fault: 'v2 series one short', model: V2, spec: { max_images: 3, sequential_image_generation: 'auto' }, arrange: (s) => { s.v2.settings.seriesShort = 1 }, ok: true, billed: 2, kept: 2, calls: 1, says: /returned 2 of the 3/ },
  { fault: 'v2 3 independent pictures', model: V2, spec: { max_images: 3 }, arrange: () => {}, ok: true, billed: 3, kept: 3, calls: 3 },
]

const measured: string[] = []
let server: SegmindServer
let foreign: ForeignServer
beforeEach(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
  foreign = await startForeignServer()
})
afterEach(async () => {
  await server.close()
  await foreign.close()
})
afterAll(async () => {
  await mkdir(path.resolve(import.meta.dirname, '.output'), { recursive: true })
  await writeFile(path.resolve(import.meta.dirname, '.output/ledger.md'), `| run | fault | model | billed | kept | calls | outcome |\n| --- | --- | --- | --- | --- | --- | --- |\n${measured.join('\n')}\n`)
})

/** One run, then what the ledger, the store, the journal and every output show. */
async function check(run: 'vite' | 'cli', root: string, row: Row, want: { billed: number, kept: number, calls: number }, ok: boolean): Promise<Outcome> {
  const outcome = run === 'vite' ? await runVite(root, server) : await runCli(root, server)
  await server.settled()
  const kept = await keptPictures(root)
  const billed = server.billedSha256()
  measured.push(`| ${run} | ${row.fault} | ${row.model} | ${server.billedPictures()} | ${kept.stored.length + kept.journaled.length} | ${server.generations().length} | ${outcome.ok ? 'built' : 'failed'} |`)
  expect(outcome.ok, outcome.text).toBe(ok)
  expect(server.billedPictures()).toBe(want.billed)
  expect(kept.stored.length + kept.journaled.length).toBe(want.kept)
  expect(server.generations()).toHaveLength(want.calls)
  // Nothing is kept that was not paid for, nothing unreadable, and a billed picture not kept is explained.
  expect([...kept.stored, ...kept.journaled].every(h => billed.includes(h))).toBe(true)
  expect(kept.unreadable).toEqual([])
  if (want.kept < want.billed)
    expect(outcome.text).toMatch(row.says ?? MAY)
  expect(keyFragments(outcome.text + await projectText(root))).toEqual([])
  expect(foreign.saw(TEST_KEY.slice(0, 8))).toBe(false)
  return outcome
}

describe('the ledger: pictures billed = pictures kept, under every fault', () => {
  for (const run of ['vite', 'cli'] as const) {
    it.each(ROWS.map(r => [`${r.fault} (${r.model})`, r] as const))(`${run}: %s`, async (_, row) => {
      const root = await copyFixture('vite-one')
      await writeProject(root, { model: row.model, ...row.spec }, row.options)
      row.arrange(server, foreign)
      const outcome = await check(run, root, row, row, row.ok)
      if (row.says)
        expect(outcome.text).toMatch(row.says)
      if (row.then)
        await check(run, root, row, row.then, true)
    })
  }
})
