import type { ResolvedSpec } from '../model/resolved'
import type { SeedreamImage } from '../model/types'
import type { Project } from './open-project'
import { mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { assetFileName, assetNames, cacheRemade } from './code/module'
import { pictureObject } from './code/picture-object'
import { withHtml } from './code/runtime'
import { picturesOf } from './pictures'
import { writeFileAtomic } from './store/atomic'

/** Writes one variant unless a file of that content-hashed name and size is there already. */
async function writeVariant(file: string, data: Buffer): Promise<void> {
  const there = await stat(file).catch(() => undefined)
  if (there?.isFile() && there.size === data.length)
    return
  await mkdir(path.dirname(file), { recursive: true })
  await writeFileAtomic(file, data)
}

/**
 * A spec's pictures written as files (no bundler to emit them): every variant into `folder`, named
 * as a bundle names them, and the `SeedreamImage` a `?seedream` module exports, URLs under `urlPrefix`.
 */
export async function writeImageFiles(project: Project, spec: ResolvedSpec, folder: string, urlPrefix: string, warn: (m: string) => void): Promise<SeedreamImage> {
  const sets = await picturesOf(project, spec)
  const pictures = await Promise.all(sets.map(async (set) => {
    if (set.problem)
      warn(cacheRemade(spec, set))
    const files = set.variants.map(v => assetFileName(assetNames(''), spec.name, v))
    await Promise.all(files.map((f, i) => writeVariant(path.join(folder, f), set.data[i]!)))
    return pictureObject(set, spec, files.map(f => urlPrefix + f))
  }))
  // No end-of-build hook here (image(), Turbopack's loader): what this call shared with the remote
  // cache is uploaded before it returns, so a process that exits then loses nothing.
  await project.remote?.flush()
  const images = withHtml(pictures, spec.alt, spec.markup)
  return { ...images[0]!, alt: spec.alt, prompt: spec.picture.prompt, images }
}
