/** An answer larger than the limit: refused while it streams, never held whole in memory. */
export class TooLarge extends Error {}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`

/** The body of a response, read chunk by chunk up to `max` bytes. */
export async function readLimited(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'))
  const refuse = () => new TooLarge(`answered more than ${mib(max)} (the maxImageBytes option); the answer was refused`)
  if (declared > max) {
    await res.body?.cancel().catch(() => {})
    throw refuse()
  }
  const chunks: Uint8Array[] = []
  let total = 0
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length
      if (total > max) {
        await res.body.cancel().catch(() => {})
        throw refuse()
      }
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks, total)
}
