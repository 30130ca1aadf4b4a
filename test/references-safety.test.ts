import type { SegmindServer } from './servers/segmind'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, symlink, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../src/model/defaults'
import { attachReferences } from '../src/project/references'
import { resolveSpec } from '../src/model/spec'
import { exportsOf, listFiles, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r })

const build = (at = root) => withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () =>
  viteBuild(at, { widths: [64], formats: ['jpeg'], retryDelay: 5 }))
const useReference = (input: string) => writeFile(path.join(root, 'seedream.config.json'),
  JSON.stringify({ images: { hero: { prompt: 'A lighthouse', model: 'seedream-4', size: '1K', aspect_ratio: 'match_input_image', image_input: [input] } } }))
const png = (color: string) => sharp({ create: { width: 32, height: 32, channels: 3, background: color } }).png().toBuffer()
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure') }, e => e as Error)

/** A build that must be refused before any request reaches the server. */
async function refused(input: string): Promise<string> {
  await useReference(input)
  const error = await failure(build())
  expect(server.state.requests).toHaveLength(0)
  expect(error.message).toContain('spec "hero"')
  expect(error.message).toContain('image_input[0]')
  return error.message
}

describe('local reference images stay inside the root and are bounded', () => {
  it('refuses a symlink to a file outside the root, naming where it leads', async () => {
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'seedream-outside-'))
    await writeFile(path.join(elsewhere, 'secret.png'), await png('#00ff00'))
    await symlink(path.join(elsewhere, 'secret.png'), path.join(root, 'ref.png'))
    const message = await refused('ref.png')
    expect(message).toContain(`ref.png leads to ${await import('node:fs/promises').then(f => f.realpath(path.join(elsewhere, 'secret.png')))}, outside the project root`)
    await symlink('/etc/hostname', path.join(root, 'host.png'))
    expect(await refused('host.png')).toContain('host.png leads to /etc/hostname, outside the project root')
  })

  it('refuses a symlink to /dev/zero without reading it', { timeout: 10_000 }, async () => {
    await symlink('/dev/zero', path.join(root, 'zero.png'))
    expect(await refused('zero.png')).toContain('outside the project root')
  })

  it('refuses a FIFO and a directory inside the root without opening them', { timeout: 10_000 }, async () => {
    execFileSync('mkfifo', [path.join(root, 'pipe.png')])
    expect(await refused('pipe.png')).toContain('pipe.png is a FIFO, not a regular file')
    await mkdir(path.join(root, 'folder.png'))
    expect(await refused('folder.png')).toContain('folder.png is a directory, not a regular file')
  })

  it('refuses a file over the limit, giving its size, the limit and the option', async () => {
    // A sparse file: its size is refused from a stat, so nothing is written or read.
    await writeFile(path.join(root, 'huge.png'), '')
    await truncate(path.join(root, 'huge.png'), DEFAULTS.maxReferenceBytes + 1)
    const message = await refused('huge.png')
    expect(message).toContain(`huge.png is 30.0 MiB (${DEFAULTS.maxReferenceBytes + 1} bytes), over the limit of 30.0 MiB (${DEFAULTS.maxReferenceBytes} bytes)`)
    expect(message).toContain('maxReferenceBytes')
  })

  it('honours a smaller maxBytes', async () => {
    await writeFile(path.join(root, 'ref.png'), await png('#ff0000'))
    const spec = resolveSpec({ prompt: 'A lighthouse', image_input: ['ref.png'] }, { name: 'hero', provider: 'segmind', output: {} })
    const error = await failure(attachReferences(spec, root, 50))
    expect(error.message).toMatch(/image_input\[0\]: ref\.png is 0\.0 MiB \(\d+ bytes\), over the limit of 0\.0 MiB \(50 bytes\); shrink the image or raise the option maxReferenceBytes/)
  })

  it('still uses a normal reference end to end, through a symlinked root, with the same key format', async () => {
    const data = await png('#3366ff')
    await writeFile(path.join(root, 'ref.png'), data)
    await useReference('ref.png')
    const linked = path.join(await mkdtemp(path.join(os.tmpdir(), 'seedream-link-')), 'project')
    await symlink(root, linked)
    const { outDir } = await build(linked)
    expect(server.generations()).toHaveLength(1)
    expect(server.v2.uploads.map(u => u.sha256)).toEqual([createHash('sha256').update(data).digest('hex')])
    expect((await exportsOf(outDir)).hero.src).toMatch(/hero-64\.\w+\.jpg$/)
    const metas = (await listFiles(path.join(root, '.seedream'))).filter(f => f.endsWith('meta.json'))
    const meta = JSON.parse(await readFile(path.join(root, '.seedream', metas[0]!), 'utf8'))
    expect(meta.picture.image_input).toEqual([`local:ref.png#${createHash('sha256').update(data).digest('hex')}`])
  })
})
