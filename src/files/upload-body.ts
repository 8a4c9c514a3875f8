import { PassThrough } from 'node:stream';
import type { Request, Response } from 'express';
import { RequestTimeoutError } from '../common/errors/app.error';
import { onRequestTimeout } from '../common/http/request-deadline';
import { FileUploadAbortedError } from './files.errors';

/** The path uploads are sent to: its body is left unread by the JSON parser, for the route to stream. */
export const FILE_UPLOAD_PATH = '/api/v1/files';

export function isFileUpload(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const path = req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
  return path === FILE_UPLOAD_PATH;
}

/**
 * The request's body as a stream of its own: when the upload is refused midway (too large, not records) the
 * stream is destroyed but the connection is not, so the refusal still reaches the client; the rest of the
 * body is read and dropped, and the connection closed after the answer. A client that goes away midway fails the
 * stream, and so does the upload's deadline: what a 504 answered is not stored.
 */
export function uploadBody(req: Request, res: Response): PassThrough {
  const body = new PassThrough();
  // Its errors are the reading pipeline's to answer, and it may not be reading yet (the quota is checked first):
  // an error before it is kept by the stream (`errored`) for the pipeline, not thrown unheard at the process.
  body.on('error', () => undefined);
  req.pipe(body);
  // Answered 504 (FILE_UPLOAD_TIMEOUT_MS): the upload ends there, refused, rather than be stored unanswered.
  onRequestTimeout(req, () => body.destroy(new RequestTimeoutError()));
  req.once('error', () => body.destroy(new FileUploadAbortedError()));
  req.once('close', () => {
    if (!req.complete) body.destroy(new FileUploadAbortedError());
  });
  body.once('close', () => {
    if (req.complete) return;
    req.unpipe(body);
    if (!res.headersSent) res.setHeader('Connection', 'close');
    req.resume();
  });
  return body;
}
