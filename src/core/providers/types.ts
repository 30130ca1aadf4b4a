import type { HttpError } from '../errors'
import type { DetectedFormat } from '../image-type'
import type { ResolvedSpec } from '../spec'

export interface GeneratedImage {
  data: Buffer
  format: DetectedFormat
}

export interface GenerateResult {
  images: GeneratedImage[]
  requestIds: string[]
  remainingCredits?: number
  /** The seed the provider used, where it says. */
  seed?: number
}

export interface GenerateEvents {
  onRetry?: (error: HttpError, attempt: number, delayMs: number) => void
}

/** What every provider offers: one spec in, its pictures out. */
export interface Provider {
  name: string
  /** Whether its pictures are real and may be stored as originals. */
  persistent: boolean
  generate: (spec: ResolvedSpec, signal: AbortSignal | undefined, events: GenerateEvents) => Promise<GenerateResult>
}
