import { Transform, type TransformCallback } from 'node:stream';

/**
 * What each user's uploads in flight in this process have written so far, counted against their quota as the
 * bytes arrive: the exact check is made when a file is registered, but without this, uploads sent together (each
 * under the quota alone) would each be written whole to the disk first, so many at once took many times the quota.
 */
export class UploadsInFlight {
  private readonly bytes = new Map<string, number>();

  /** How many bytes `userId`'s uploads in flight here have written so far. */
  of(userId: string): number {
    return this.bytes.get(userId) ?? 0;
  }

  /**
   * A stage that counts what passes for `userId` and fails with `refusal()` once their files (`usedBytes`) and
   * their uploads in flight here would take more than `quotaBytes`; `release` takes its count back (call it once
   * the upload is stored or given up). A refused or failed upload takes its count back at once, not after its
   * cleanup: the bytes it was refused for never count against the user's other uploads.
   */
  counted(
    userId: string,
    usedBytes: number,
    quotaBytes: number,
    refusal: () => Error,
  ): { stage: Transform; release: () => void } {
    let counted = 0;
    const release = () => {
      this.add(userId, -counted);
      counted = 0;
    };
    const stage = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        if (usedBytes + this.of(userId) + chunk.length > quotaBytes) return done(refusal());
        counted += chunk.length;
        this.add(userId, chunk.length);
        done(null, chunk);
      },
      destroy: (error, done) => {
        if (error) release();
        done(error);
      },
    });
    return { stage, release };
  }

  private add(userId: string, bytes: number): number {
    const total = this.of(userId) + bytes;
    if (total > 0) this.bytes.set(userId, total);
    else this.bytes.delete(userId);
    return total;
  }
}
