/**
 * The shapes shared by the encoder (variants.ts), the cache reader (store/variant-cache.ts) and
 * the dev server: kept apart so that the reader does not import the encoder it serves.
 */
export const MIME = { avif: 'image/avif', webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' } as const
export const EXT = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png' } as const

export interface Variant {
  format: keyof typeof MIME
  width: number
  height: number
  /** File name inside the variant folder. */
  file: string
  /** The first 10 hex digits of `sha256`, for the emitted file name. */
  hash: string
  /** The whole content hash, checked against the file's bytes before they are emitted. */
  sha256: string
  bytes: number
}

export interface Summary {
  color: string
  placeholder?: string
  thumbhash?: string
}

/** One variant a folder must hold: what makeVariants would encode, in its order. */
export interface Planned {
  width: number
  format: Variant['format']
  file: string
}

/** Where variant sets are shared between machines (the remote cache), as makeVariants uses it. */
export interface VariantsRemote {
  /** The set under `packKey` if it was made from `source` (a sha256), its manifest passes `check` (which throws otherwise) and its files match it. */
  getVariants: <T extends { variants: Variant[] }>(packKey: string, source: string, check: (json: unknown) => T) => Promise<{ manifest: T, data: Buffer[] } | undefined>
  /** Shares a set made from `source`, a picture of the spec keyed `specKey`. */
  putVariants: (packKey: string, specKey: string, source: string, manifest: Summary & { variants: Variant[] }, data: Uint8Array[]) => void
  /** Work that runs beside the build and that its end awaits (the local copy of a pulled set); a failure fails the build there. */
  beside: (work: Promise<unknown>) => void
}

/** A picture's place in the remote cache, for makeVariants. */
export interface RemoteSlot { cache: VariantsRemote, packKey: string, specKey: string }

/** Pixels to encode from: a file's bytes, or a decoded raw buffer with its shape. */
export interface Pixels {
  data: Buffer
  raw?: { width: number, height: number, channels: 1 | 2 | 3 | 4 }
}
