import type { ResolvedRemote } from './remote-options'
import type { DETECTED_FORMATS } from './schema'
import type { AspectRatio, ImageFormat, Loading, OtherHost, OutputOptions, PlaceholderKind, ProviderName, SeedreamModel, SeedreamSize, SeedreamSpec, SequentialGeneration } from './types'

/** The fields sent to the provider: everything that changes the picture, with defaults filled. */
export interface PictureRequest {
  prompt: string
  model: SeedreamModel
  size: SeedreamSize
  width?: number
  height?: number
  aspect_ratio: AspectRatio | string
  max_images: number
  sequential_image_generation: SequentialGeneration
  image_input?: string[]
  seed?: number
}

/** What the variants are made from: part of their cache key. */
export interface ResolvedOutput {
  widths: number[]
  formats: ImageFormat[]
  quality: Partial<Record<ImageFormat, number>>
  avifEffort: number
  placeholder: PlaceholderKind
}

/** What only the markup uses: changing it remakes no variant. */
export interface ResolvedMarkup {
  sizes: string
  loading: Loading
  priority: boolean
  imgStyle: string | false
}

/** A reference image of `image_input`: a URL, or a local file read and hashed (part of the key). */
export type Reference =
  | { kind: 'url', url: string }
  /** `file` is the real path (links resolved); `rel` the path as written, relative to the root. */
  | { kind: 'file', file: string, rel: string, sha256: string, mime: string, bytes: number }

export interface ResolvedSpec {
  name: string
  /** The file the spec came from, relative to the root, for messages. */
  file?: string
  provider: ProviderName
  picture: PictureRequest
  output: ResolvedOutput
  markup: ResolvedMarkup
  /** The reference images behind `picture.image_input`, once read (see project/references.ts). */
  references?: Reference[]
  alt: string
  /** How many candidates the first generation asks for (see SeedreamSpec.candidates). */
  candidates: number
  /** Which candidate this spec stands for, from 0; absent for the first (whose key is the spec's own). */
  candidate?: number
  /** For candidate n > 0: the first candidate's key, recorded in its meta.json so the store knows whose it is. */
  candidateOf?: string
  /** Adjustments the user should know about (rounding), reported as warnings. */
  notes: string[]
}

export type DetectedFormat = typeof DETECTED_FORMATS[number]

/** A picture as a provider answered it. */
export interface GeneratedImage {
  data: Buffer
  format: DetectedFormat
}

/** A picture that passed every check before it is kept: decodable, the size asked, hashed. */
export interface VerifiedImage extends GeneratedImage {
  width: number
  height: number
  sha256: string
}

/** What a resolved host carries, the name of its key's variable included (for messages). */
export interface ResolvedHost { apiKey?: string, apiUrl: string, keyVariable: string }

export interface ResolvedOptions {
  root: string
  images: Record<string, SeedreamSpec>
  /** The file the named specs came from, for error messages. */
  configPath?: string
  provider: ProviderName
  apiKey?: string
  apiUrl: string
  uploadUrl: string
  hosts: Record<OtherHost, ResolvedHost>
  cacheDir: string
  variantsCacheDir: string
  concurrency: number
  retries: number
  timeout: number
  retryDelay: number
  output: OutputOptions
  frozen: boolean
  allowPlaceholders: boolean
  /** Absolute path of the named specs' declaration file, or undefined for none. */
  dts?: string
  /** CI is set: a build there refuses placeholders unless allowed. */
  ci: boolean
  budget: { maxImages: number, maxCost: number }
  prices: Record<string, number>
  lockStale: number
  maxImageBytes: number
  maxReferenceBytes: number
  /** The shared remote cache, when one is configured. */
  remote?: ResolvedRemote
}

