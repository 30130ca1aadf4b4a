import path from 'node:path'

export const QUERY = '?seedream'
/** A spec file: `card.seedream.json`, `.yaml` or `.yml`. */
export const SPEC_FILE = /\.seedream\.(?:json|ya?ml)$/
const NAMED_PREFIX = '\0seedream:'
/**
 * Spec files get a virtual id whose extension is escaped: Vite's dev server skips the HMR analysis
 * of any id with `.json?` in it, and a module it has not analysed cannot be hot-updated.
 */
const FILE_PREFIX = '\0seedream-file:'
export const fileId = (file: string) => `${FILE_PREFIX}${file.replace(/%/g, '%25').replace(/\.(\w+)$/, '%2E$1')}${QUERY}`
const fileOfId = (bare: string) => decodeURIComponent(bare.slice(FILE_PREFIX.length))

/** What every `?seedream` module imports its shared code from, and the id it resolves to. */
// Path-like, since webpack refuses a request with a scheme it does not know (`virtual:`).
export const RUNTIME_REQUEST = `/@seedream/runtime${QUERY}`
export const RUNTIME_ID = `\0seedream-runtime${QUERY}`

/** The id a `?seedream` import resolves to: one per named spec, one per spec file. */
export function resolveSpecId(request: string, importer: string | undefined, root: string): string {
  // Vite's dev server serves a virtual module as `/@id/__x00__…`, and may hand that URL back.
  const id = request.startsWith('/@id/') ? request.slice('/@id/'.length).replace(/^__x00__/, '\0') : request
  if (id === RUNTIME_REQUEST || id === RUNTIME_ID)
    return RUNTIME_ID
  const bare = id.slice(0, -QUERY.length)
  // Vite's dev server hands back ids with the escape decoded: keep one id per file.
  if (bare.startsWith(FILE_PREFIX))
    return fileId(fileOfId(bare))
  if (bare.startsWith(NAMED_PREFIX))
    return id
  if (SPEC_FILE.test(bare)) {
    const from = importer?.startsWith(FILE_PREFIX) ? fileOfId(importer.split('?')[0]!) : importer?.split('?')[0]
    return fileId(path.resolve(bare.startsWith('.') && from ? path.dirname(from) : root, bare))
  }
  return `${NAMED_PREFIX}${bare}${QUERY}`
}

export const isNamedId = (id: string) => id.startsWith(NAMED_PREFIX)

/** What a resolved id stands for. */
export function parseSpecId(id: string): { name: string } | { file: string } {
  const bare = id.slice(0, -QUERY.length)
  return bare.startsWith(FILE_PREFIX) ? { file: fileOfId(bare) } : { name: bare.slice(NAMED_PREFIX.length) }
}
