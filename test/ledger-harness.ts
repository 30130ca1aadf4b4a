import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { listFiles, TEST_KEY, viteBuild, withEnv } from './helpers'

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js')

/** What one run showed a person: success or not, and every line and message it printed. */
export interface Outcome { ok: boolean, text: string }

/** The project's config: one spec, small outputs, quick retries; `options` override. */
export async function writeProject(root: string, spec: object, options: object = {}): Promise<void> {
  const config = { images: { hero: { prompt: 'A lighthouse on a cliff in a storm', size: '1K', ...spec } }, widths: [64], formats: ['jpeg'], retryDelay: 5, retries: 2, ...options }
  await writeFile(path.join(root, 'seedream.config.json'), JSON.stringify(config))
}

/** A real `vite build` of the fixture copy, with the key and the server's URL. */
export async function runVite(root: string, server: SegmindServer): Promise<Outcome> {
  try {
    const { logs } = await withEnv({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }, () => viteBuild(root, {}))
    return { ok: true, text: logs.join('\n') }
  }
  catch (error: any) {
    return { ok: false, text: `${error.message}\n${error.stack}` }
  }
}

/** The built CLI in a child process, with only the environment given here. */
export function startCli(root: string, server: SegmindServer, args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args, '--root', root], {
    env: { PATH: process.env.PATH!, SEGMIND_API_URL: server.url, SEGMIND_API_KEY: TEST_KEY },
  })
  let text = ''
  child.stdout.on('data', (d) => { text += d })
  child.stderr.on('data', (d) => { text += d })
  const done = new Promise<Outcome & { signal: NodeJS.Signals | null }>(resolve =>
    child.on('close', (code, signal) => resolve({ ok: code === 0, text, signal })))
  return { child, done }
}

/** `seedream generate --json` (or other arguments) to the end. */
export const runCli = (root: string, server: SegmindServer, args = ['generate', '--json']): Promise<Outcome> => startCli(root, server, args).done

export interface Kept {
  /** Pictures in the store's entries, each checked against its meta.json hash and decoded. */
  stored: string[]
  /** Paid pictures waiting in a job journal for the next attempt. */
  journaled: string[]
  /** Stored files that fail their hash or do not decode. */
  unreadable: string[]
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

export async function keptPictures(root: string): Promise<Kept> {
  const dir = path.join(root, '.seedream')
  const files = await listFiles(dir)
  const kept: Kept = { stored: [], journaled: [], unreadable: [] }
  for (const meta of files.filter(f => /^[0-9a-f]{16}\/meta\.json$/.test(f))) {
    const entry = JSON.parse(await readFile(path.join(dir, meta), 'utf8'))
    for (const img of entry.images) {
      const data = await readFile(path.join(dir, path.dirname(meta), img.file))
      const decodes = await sharp(data, { failOn: 'truncated' }).raw().toBuffer().then(() => true, () => false)
      if (sha(data) !== img.sha256 || !decodes)
        kept.unreadable.push(img.file)
      kept.stored.push(img.sha256)
    }
  }
  for (const file of files.filter(f => /^\.jobs\/[0-9a-f]{16}\/\d+\.\w+$/.test(f)))
    kept.journaled.push(sha(await readFile(path.join(dir, file))))
  return kept
}

/** Every stretch of 8 characters of the key found in a text: no part of a key may show anywhere. */
export function keyFragments(text: string, key = TEST_KEY): string[] {
  const found: string[] = []
  for (let i = 0; i + 8 <= key.length; i++) {
    if (text.includes(key.slice(i, i + 8)))
      found.push(key.slice(i, i + 8))
  }
  return found
}

/** Everything a run left under the project (store, journal, caches, dist), as text to search. */
export async function projectText(root: string): Promise<string> {
  const files = await listFiles(root)
  const parts = await Promise.all(files.filter(f => !f.startsWith('node_modules/.vite')).map(f => readFile(path.join(root, f), 'latin1')))
  return parts.join('\n')
}
