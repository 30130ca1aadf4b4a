import { createLogUpdate } from 'log-update'

/** What the seed pages give for one generation: the ETA of a picture not yet started. */
const SECONDS_PER_GENERATION = 30

export interface Progress {
  /** A generation starts; the function it returns says how it ended (a line kept in the log). */
  start: (label: string) => (outcome: string) => void
  /** A picture's variants are being made (or read from their cache); the function says they are done. */
  encoding: (name: string) => () => void
}

const since = (t: number) => (Date.now() - t) / 1000
const clock = (s: number) => s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`

/**
 * Progress of slow generations. Piped or in CI: a start and a finish line each, through the
 * bundler's logger. In a terminal: the same finish lines, under one live block redrawn in place
 * (log-update) with done/total, elapsed time, an ETA and each generation under way.
 */
export function createProgress(info: (message: string) => void, interactive: boolean, concurrency = 4): Progress {
  if (!interactive) {
    return {
      start(label) {
        const started = Date.now()
        info(`${label}…`)
        return outcome => info(`${outcome} in ${since(started).toFixed(1)} s`)
      },
      // Piped, the summary says what was encoded: a line a picture would be noise.
      encoding: () => () => {},
    }
  }
  return liveProgress(info, concurrency)
}

function liveProgress(info: (message: string) => void, concurrency: number): Progress {
  const live = createLogUpdate(process.stderr)
  const running = new Map<symbol, { label: string, started: number }>()
  const batch = { done: 0, total: 0, started: 0 }
  const encoding = new Map<symbol, string>()
  let encoded = 0
  const timer = setInterval(() => render(), 250)
  timer.unref()

  function render(): void {
    if (!running.size && !encoding.size)
      return live.clear()
    live([...generating(), ...(encoding.size ? [`[seedream] encoding variants: ${encoded} picture(s) done · now ${[...new Set(encoding.values())].join(', ')}`] : [])].join('\n'))
  }

  function generating(): string[] {
    if (!running.size)
      return []
    const left = batch.total - batch.done
    const longest = Math.max(...[...running.values()].map(j => since(j.started)))
    const eta = Math.max(0, Math.ceil(left / concurrency) * SECONDS_PER_GENERATION - longest)
    return [
      `[seedream] generating: ${batch.done}/${batch.total} done · ${clock(since(batch.started))} elapsed · about ${clock(eta)} left`,
      ...[...running.values()].map(j => `  ${j.label} · ${since(j.started).toFixed(0)} s`),
    ]
  }

  return {
    start(label) {
      if (!running.size)
        Object.assign(batch, { done: 0, total: 0, started: Date.now() })
      const id = Symbol(label)
      running.set(id, { label, started: Date.now() })
      batch.total++
      render()
      return (outcome) => {
        const job = running.get(id)!
        running.delete(id)
        batch.done++
        // The block is cleared, the line written where it was, then the block drawn again below it.
        live.clear()
        info(`${outcome} in ${since(job.started).toFixed(1)} s`)
        render()
      }
    },
    encoding(name) {
      const id = Symbol(name)
      encoding.set(id, name)
      render()
      return () => {
        encoding.delete(id)
        encoded++
        render()
      }
    },
  }
}
