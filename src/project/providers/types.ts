import type { HttpError, SpecIssue } from '../../model/errors'
import type { JobJournal } from '../store/journal'
import type { GeneratedImage, ResolvedSpec } from '../../model/resolved'

export type { GeneratedImage } from '../../model/resolved'

export interface GenerateResult {
  images: GeneratedImage[]
  requestIds: string[]
  remainingCredits?: number
  /** What the host says it charged, in its credits (US dollars for Segmind), where it says. */
  cost?: number
  /** The seed the provider used, where it says. */
  seed?: number
}

export interface GenerateEvents {
  onRetry?: (error: HttpError, attempt: number, delayMs: number) => void
  warn?: (message: string) => void
  info?: (message: string) => void
  /** Where a provider keeps paid pictures and submitted jobs between attempts at one key. */
  journal?: JobJournal
}

/** What every provider offers: one spec in, its pictures out. */
export interface Provider {
  name: string
  /** Throws when a call cannot be made at all (no key): before any lock, budget or progress line. */
  assertReady?: (spec: ResolvedSpec) => void
  /** What this host cannot express in a spec, found before any request. */
  check?: (spec: ResolvedSpec) => SpecIssue[]
  /** Whether its pictures are real and may be stored as originals. */
  persistent: boolean
  generate: (spec: ResolvedSpec, signal: AbortSignal | undefined, events: GenerateEvents) => Promise<GenerateResult>
  /** The account's balance, where the host tells it for free. */
  balance?: (signal?: AbortSignal) => Promise<{ credits: number, freeCredits?: number }>
}
