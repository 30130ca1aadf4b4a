import type { ResolvedOptions } from '../model/options'
import type { Provider } from './providers/types'
import type { ResolvedSpec } from '../model/spec'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { globby } from 'globby'
import { readSpecFile, specFileName } from './config'
import { didYouMean } from '../model/nearest'
import { SeedreamError, SpecError } from '../model/errors'
import { attachReferences } from './references'
import { resolveSpec } from '../model/spec'

const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.seedream/**', '**/dist/**']

/** Every `*.seedream.{json,yaml,yml}` under the root, honouring .gitignore. */
export function findSpecFiles(root: string): Promise<string[]> {
  return globby('**/*.seedream.{json,yaml,yml}', { cwd: root, absolute: true, gitignore: true, ignore: IGNORE })
}

/** Every `'…?seedream'` import in the project's source files, with the file it is in. */
export async function findImports(root: string): Promise<Array<{ request: string, source: string }>> {
  const sources = await globby('**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,vue,svelte,astro,md,mdx,html}', { cwd: root, absolute: true, gitignore: true, ignore: IGNORE })
  const found: Array<{ request: string, source: string }> = []
  for (const source of sources) {
    const text = await readFile(source, 'utf8')
    for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)(['"])([^'"\n]+)\?seedream\1/g))
      found.push({ request: match[2]!, source })
  }
  return found
}

/** The values of promises run side by side; when some fail, the error of the first in order (not in time), so a report does not depend on timing. */
export async function inOrder<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find(s => s.status === 'rejected')
  if (failed)
    throw failed.reason
  return settled.map(s => (s as PromiseFulfilledResult<T>).value)
}

/** Turns names and files into resolved specs, each error naming its file, spec and field. */
export function createSpecs(opts: ResolvedOptions, providerFor: (spec: ResolvedSpec) => Provider) {
  const ctx = { provider: opts.provider, output: opts.output }

  /** The config does not change during a build: each named spec is resolved once. */
  const byName = new Map<string, Promise<ResolvedSpec>>()
  function fromConfig(name: string): Promise<ResolvedSpec> {
    if (!byName.has(name)) {
      const pending = resolveNamed(name)
      byName.set(name, pending)
      pending.catch(() => byName.delete(name))
    }
    return byName.get(name)!
  }

  async function resolveNamed(name: string): Promise<ResolvedSpec> {
    // Own names only: `toString` or `__proto__` is a spec when declared, never by inheritance.
    if (!Object.hasOwn(opts.images, name)) {
      const known = Object.keys(opts.images)
      throw new SeedreamError(`No spec named "${name}"${opts.configPath ? ` in ${opts.configPath}` : ''}.${didYouMean(name, known)} `
        + (known.length ? `Known specs: ${known.join(', ')}.` : 'Declare it under "images" in seedream.config.ts, or import a ./name.seedream.json file.'), { spec: name, file: opts.configPath })
    }
    return checked(resolveSpec(opts.images[name], { ...ctx, name, file: opts.configPath }))
  }

  /** References read, then what the spec's provider cannot express refused, before any request. */
  async function checked(spec: ResolvedSpec): Promise<ResolvedSpec> {
    const issues = providerFor(spec).check?.(spec) ?? []
    if (issues.length)
      throw new SpecError(issues, { file: spec.file, spec: spec.name })
    return attachReferences(spec, opts.root, opts.maxReferenceBytes)
  }

  async function fromFile(file: string): Promise<ResolvedSpec> {
    const spec = resolveSpec(await readSpecFile(file, opts.root), { ...ctx, name: specFileName(file), file: path.relative(opts.root, file) })
    return checked(spec)
  }

  /** A spec given as an object (the function API's `image({ prompt, … })`), checked like the others. */
  function fromObject(raw: unknown, name: string): Promise<ResolvedSpec> {
    return checked(resolveSpec(raw, { ...ctx, name }))
  }

  /** The config's specs: known without walking the project. */
  const named = (): Promise<ResolvedSpec[]> => Promise.all(Object.keys(opts.images).map(fromConfig))
  /** The spec files' specs, found under the root. */
  const files = async (): Promise<ResolvedSpec[]> => Promise.all((await findSpecFiles(opts.root)).map(fromFile))
  /** The specs a project declares: every named spec and every spec file. */
  const all = async (): Promise<ResolvedSpec[]> => (await inOrder([named(), files()])).flat()

  return { fromConfig, fromFile, fromObject, named, files, all }
}
