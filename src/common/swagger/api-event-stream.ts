import { applyDecorators } from '@nestjs/common';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';

/**
 * A route answering 200 with a server-sent event stream: the document says `text/event-stream` as the response's
 * content, so clients and generated tools know it is a stream, not JSON.
 */
export function ApiEventStream(description: string): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/event-stream'),
    ApiResponse({ status: 200, description, content: { 'text/event-stream': { schema: { type: 'string' } } } }),
  );
}
