import type { SegmindServer } from './servers/segmind'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cp, lstat, mkdtemp, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { listFiles, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r })

const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
const options = { widths: [64, 128], formats: ['webp', 'jpeg'] as Array<'webp' | 'jpeg'>, retryDelay: 5 }
const build = (extra = {}) => withEnv(env(), () => viteBuild(root, { ...options, ...extra }))
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')
const cacheDir = () => path.join(root, 'node_modules/.cache/unplugin-seedream')

/** The one variant folder of the fixture's one picture. */
async function variantDir(): Promise<string> {
  const manifests = (await listFiles(cacheDir())).filter(f => /^[0-9a-f]{20}\/manifest\.json$/.test(f))
  expect(manifests).toHaveLength(1)
  return path.join(cacheDir(), path.dirname(manifests[0]!))
}
const manifestOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))
const editManifest = async (dir: string, edit: (m: any) => void) => {
  const m = await manifestOf(dir)
  edit(m)
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m))
}

/** Every asset in dist decodes, has the width its name says, and hashes to the hash in its name. */
async function expectValidAssets(outDir: string): Promise<string[]> {
  const assets = (await listFiles(outDir)).filter(f => /\.(?:webp|jpg)$/.test(f))
  expect(assets).toHaveLength(4)
  for (const asset of assets) {
    const [, width, hash] = asset.match(/hero-(\d+)\.([0-9a-f]{10})\.\w+$/)!
    const data = await readFile(path.join(outDir, asset))
    expect((await sharp(data).metadata()).width).toBe(Number(width))
    expect(sha256(data).slice(0, 10)).toBe(hash)
  }
  return assets
}

/** A rebuild after tampering: warned about with the spec and folder, remade, valid, and free. */
async function expectRemade(dir: string, problem: RegExp): Promise<string> {
  const { outDir, logs } = await build()
  const warning = logs.find(l => l.startsWith('warn:') && l.includes('failed a check'))
  expect(warning).toContain('"hero"')
  expect(warning).toContain(dir)
  expect(warning).toMatch(problem)
  expect(logs.join('\n')).toContain('4 variants made, 0 reused')
  expect(server.generations()).toHaveLength(1)
  await expectValidAssets(outDir)
  expect((await manifestOf(dir)).variants.map((v: any) => v.file)).toEqual(['64.webp', '64.jpg', '128.webp', '128.jpg'])
  return outDir
}

describe('the variants cache is verified before use', () => {
  it('a warm build reuses a sound folder without remaking it', async () => {
    const cold = await build()
    const warm = await build()
    expect(warm.logs.join('\n')).toContain('0 variants made, 4 reused')
    expect(warm.logs.some(l => l.includes('failed a check'))).toBe(false)
    expect(await expectValidAssets(warm.outDir)).toEqual(cold.files.filter(f => /\.(?:webp|jpg)$/.test(f)))
  })

  it.each([
    ['thumbhash', ['avif', 'png']],
    ['none', ['png']],
  ])('a folder made with placeholder "%s" and formats %j passes its own checks', async (placeholder, formats) => {
    await build({ placeholder, formats })
    const warm = await build({ placeholder, formats })
    expect(warm.logs.join('\n')).toMatch(/ 0 variants made, \d+ reused/)
    expect(warm.logs.some(l => l.includes('failed a check'))).toBe(false)
  })

  it('a manifest pointing out of its folder ships nothing from there, even with the right size and hash', async () => {
    await build()
    const dir = await variantDir()
    const host = await readFile('/etc/hostname')
    await editManifest(dir, (m) => {
      Object.assign(m.variants[0], { file: path.relative(dir, '/etc/hostname'), bytes: host.length, sha256: sha256(host), hash: sha256(host).slice(0, 10) })
    })
    const outDir = await expectRemade(dir, /variants\[0\]\.file is "(\.\.\/)+etc\/hostname", expected "64\.webp"/)
    for (const file of await listFiles(outDir))
      expect((await readFile(path.join(outDir, file))).equals(host)).toBe(false)
  })

  it('a variant cut to 10 bytes is remade, never shipped', async () => {
    await build()
    const dir = await variantDir()
    await truncate(path.join(dir, '128.jpg'), 10)
    await expectRemade(dir, /128\.jpg is 10 bytes, the manifest says \d+/)
  })

  it.each([
    ['on the build after it was made', 1],
    // The second build verified every hash and wrote stamps.json; a file written since has a new change time.
    ['after a warm build stamped the folder as verified', 2],
  ])('a variant with the right size and other content is remade, %s', async (_, builds) => {
    for (let i = 0; i < builds; i++)
      await build()
    const dir = await variantDir()
    if (builds > 1)
      expect(JSON.parse(await readFile(path.join(dir, 'stamps.json'), 'utf8'))).toHaveProperty(['64.webp'])
    const file = path.join(dir, '64.webp')
    await writeFile(file, Buffer.alloc((await readFile(file)).length, 7))
    await expectRemade(dir, /64\.webp does not match its sha256/)
  })

  it.each([
    ['not JSON', (dir: string) => writeFile(path.join(dir, 'manifest.json'), '{"variants": ['), /manifest\.json is not JSON/],
    ['a width that is a string', (dir: string) => editManifest(dir, (m) => { m.variants[1].width = '64' }), /variants\[1\] has width "64"/],
    ['a missing colour', (dir: string) => editManifest(dir, (m) => { delete m.color }), /color is undefined/],
    ['an unknown format', (dir: string) => editManifest(dir, (m) => { m.variants[0].format = 'gif' }), /variants\[0\]\.format is "gif", expected "webp"/],
    ['a missing manifest', (dir: string) => rm(path.join(dir, 'manifest.json')), /manifest\.json is missing/],
    ['a FIFO for a variant', async (dir: string) => {
      await rm(path.join(dir, '64.webp'))
      execFileSync('mkfifo', [path.join(dir, '64.webp')])
    }, /64\.webp is not a regular file/],
  ])('a folder with %s is remade', { timeout: 20_000 }, async (_, tamper, problem) => {
    await build()
    const dir = await variantDir()
    await tamper(dir)
    await expectRemade(dir, problem)
  })

  it('links are refused, and replacing a linked folder leaves what it pointed to alone', async () => {
    await build()
    const dir = await variantDir()
    const outside = path.join(await mkdtemp(path.join(os.tmpdir(), 'seedream-outside-')), 'copy')
    await cp(dir, outside, { recursive: true })
    await rm(path.join(dir, '64.jpg'))
    await symlink(path.join(outside, '64.jpg'), path.join(dir, '64.jpg'))
    await expectRemade(dir, /64\.jpg is a symlink/)

    await rename(dir, `${dir}-gone`)
    await symlink(outside, dir)
    await expectRemade(dir, /the folder is a link or a file/)
    expect((await lstat(dir)).isDirectory()).toBe(true)
    expect(await listFiles(outside)).toEqual(['128.jpg', '128.webp', '64.jpg', '64.webp', 'manifest.json'])
  })

  it('two builds remaking the same bad folder at once both succeed and leave a sound one', async () => {
    await build()
    const dir = await variantDir()
    await truncate(path.join(dir, '64.jpg'), 10)
    const second = { build: { outDir: path.join(root, 'dist-2'), emptyOutDir: true } }
    const both = await withEnv(env(), () => Promise.all([viteBuild(root, options), viteBuild(root, options, second)]))
    for (const { outDir } of both)
      await expectValidAssets(outDir)
    expect(server.generations()).toHaveLength(1)
    const { logs } = await build()
    expect(logs.join('\n')).toContain('0 variants made, 4 reused')
    expect((await listFiles(cacheDir())).filter(f => f.startsWith('.tmp-'))).toEqual([])
  })
})

describe('one encoding per picture', () => {
  it('two specs asking for the same picture are generated once and encoded once in a build', async () => {
    const same = { prompt: 'A lighthouse on a cliff in a storm', size: '1K', aspect_ratio: '3:2' }
    await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify({ images: { hero: same, banner: same } }))
    await writeFile(path.join(root, 'src/main.js'), 'import hero from \'hero?seedream\'\nimport banner from \'banner?seedream\'\nglobalThis.__seedream = { hero, banner }\n')
    const { logs } = await build()
    expect(server.billedPictures()).toBe(1)
    // 2 widths × 2 formats made once, then the same set reused for the second name.
    expect(logs.join('\n')).toMatch(/1 generated \(~\$0\.04[^)]*\), 1 reused, 0 placeholder\(s\); 4 variants made, 4 reused/)
  })
})
