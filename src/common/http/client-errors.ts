import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors/error-code';
import { errorEnvelope } from './envelope';

/** How Node's HTTP parser's refusals are answered: a status, and the contract's code and message. */
function answerOf(code: string | undefined): { status: number; code: ErrorCode; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, code: ErrorCode.BAD_REQUEST, message: 'The request line or headers are too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, code: ErrorCode.TIMEOUT, message: 'The request did not arrive in time' };
  return { status: 400, code: ErrorCode.BAD_REQUEST, message: 'Malformed HTTP request' };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Requests that Node's HTTP parser refuses before any route sees them (a URL or headers over its size limit,
 * malformed HTTP) are answered in the error envelope too, instead of Node's bare status line, and the
 * connection is closed, as Node does.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answered = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || answered) {
      socket.destroy();
      return;
    }
    const { status, code, message } = answerOf(err.code);
    const body = JSON.stringify(errorEnvelope(code, message));
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
