/**
 * Progress of slow generations through the bundler's logger: a start and a finish line each, and
 * in a terminal an elapsed-time line every few seconds so a 30-second wait never looks stuck.
 */
export function createProgress(info: (message: string) => void, interactive: boolean, every = 5000) {
  return {
    start(label: string): (outcome: string) => void {
      const started = Date.now()
      const seconds = () => ((Date.now() - started) / 1000).toFixed(1)
      info(`${label}…`)
      const timer = interactive ? setInterval(() => info(`${label}: ${seconds()} s`), every) : undefined
      timer?.unref()
      return (outcome) => {
        clearInterval(timer)
        info(`${outcome} in ${seconds()} s`)
      }
    },
  }
}
