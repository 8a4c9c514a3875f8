import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { UploadsInFlight } from './uploads-in-flight';

const QUOTA = 100;
const refusal = () => new Error('over quota');
const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const send = (inFlight: UploadsInFlight, userId: string, chunks: number[]) => {
  const counted = inFlight.counted(userId, 0, QUOTA, refusal);
  const done = pipeline(Readable.from(chunks.map((n) => Buffer.alloc(n))), counted.stage, sink());
  return { done, release: counted.release };
};

describe('UploadsInFlight', () => {
  it('counts what has passed until the upload is released', async () => {
    const inFlight = new UploadsInFlight();
    const upload = send(inFlight, 'u', [30, 20]);
    await upload.done;
    expect(inFlight.of('u')).toBe(50);
    expect(inFlight.of('other')).toBe(0);
    upload.release();
    upload.release();
    expect(inFlight.of('u')).toBe(0);
  });

  it('refuses the chunk that would pass the quota beside the others in flight, and counts nothing of it', async () => {
    const inFlight = new UploadsInFlight();
    const held = send(inFlight, 'u', [70]);
    await held.done;
    const refused = send(inFlight, 'u', [20, 20]);
    await expect(refused.done).rejects.toThrow('over quota');
    // Before it is released (its cleanup still under way), the refused upload counts nothing: another that fits
    // beside the held one passes.
    expect(inFlight.of('u')).toBe(70);
    await send(inFlight, 'u', [30]).done;
    expect(inFlight.of('u')).toBe(100);
    refused.release();
    held.release();
    expect(inFlight.of('u')).toBe(30);
  });

  it('takes back what a failed upload counted as soon as it fails', async () => {
    const inFlight = new UploadsInFlight();
    const counted = inFlight.counted('u', 0, QUOTA, refusal);
    const failing = new Writable({
      write: (_chunk, _encoding, done) => done(new Error('disk full')),
    });
    await expect(pipeline(Readable.from([Buffer.alloc(40)]), counted.stage, failing)).rejects.toThrow('disk full');
    expect(inFlight.of('u')).toBe(0);
    counted.release();
    expect(inFlight.of('u')).toBe(0);
  });
});
