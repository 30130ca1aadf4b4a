import type { Stats } from 'node:fs'
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'

/**
 * Opened without following a symlink at the last step (a link swapped in is refused, not
 * followed out of its folder) and without waiting for a writer on a FIFO (open(2) of a FIFO for
 * reading blocks; with O_NONBLOCK it returns and fstat refuses it). 0 where the OS has none.
 */
const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** Why a file was not read; `size` is what fstat reported, for messages. */
export class UnreadableFile extends Error {
  constructor(readonly reason: 'missing' | 'symlink' | 'not-regular' | 'too-large' | 'size' | 'changed', readonly size?: number, cause?: unknown) {
    super(`${reason}${size === undefined ? '' : ` (${size} bytes)`}`, { cause })
  }
}

/** Limits on what is read: at most `max` bytes, or exactly `exact` bytes. */
export interface ReadLimit {
  max?: number
  exact?: number
}

function openError(error: any): UnreadableFile {
  if (error?.code === 'ENOENT' || error?.code === 'ENOTDIR')
    return new UnreadableFile('missing', undefined, error)
  // ELOOP: O_NOFOLLOW met a symlink; ENXIO: a socket.
  return new UnreadableFile(error?.code === 'ELOOP' ? 'symlink' : 'not-regular', undefined, error)
}

/**
 * The size check, on the handle's own fstat, so what is read is what was checked. Returns the
 * buffer to read into: with `max`, one byte more than fstat said, so a file that grew meanwhile
 * is caught rather than hashed in part; with `exact`, the size itself (its content is checked).
 */
function check(stat: { isFile: () => boolean, size: number }, limit: ReadLimit): Buffer {
  if (!stat.isFile())
    throw new UnreadableFile('not-regular')
  if (limit.exact !== undefined && stat.size !== limit.exact)
    throw new UnreadableFile('size', stat.size)
  if (limit.max !== undefined && stat.size > limit.max)
    throw new UnreadableFile('too-large', stat.size)
  return Buffer.allocUnsafe(limit.exact ?? stat.size + 1)
}

function result(buf: Buffer, read: number, limit: ReadLimit): Buffer {
  if (read !== (limit.exact ?? buf.length - 1))
    throw new UnreadableFile('changed', read)
  return buf.subarray(0, read)
}

/** A regular file's bytes, read through one handle and never past the size fstat gave. */
export async function readRegularFile(file: string, limit: ReadLimit = {}, onStat?: (stat: Stats) => void): Promise<Buffer> {
  const handle = await open(file, FLAGS).catch((error) => {
    throw openError(error)
  })
  try {
    const stat = await handle.stat()
    onStat?.(stat)
    const buf = check(stat, limit)
    let read = 0
    for (let n = -1; n !== 0 && read < buf.length; read += n)
      n = (await handle.read(buf, read, buf.length - read, read)).bytesRead
    return result(buf, read, limit)
  }
  finally {
    await handle.close()
  }
}

/** The same, synchronously: for small metadata read on every warm build, past the thread pool. */
export function readRegularFileSync(file: string, limit: ReadLimit = {}): Buffer {
  let fd: number
  try {
    fd = openSync(file, FLAGS)
  }
  catch (error) {
    throw openError(error)
  }
  try {
    const buf = check(fstatSync(fd), limit)
    let read = 0
    for (let n = -1; n !== 0 && read < buf.length; read += n)
      n = readSync(fd, buf, read, buf.length - read, read)
    return result(buf, read, limit)
  }
  finally {
    closeSync(fd)
  }
}
