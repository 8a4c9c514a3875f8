import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Query parameters that are objects (the task list's `metadata` filter) as `deepObject`, so a generated client
 * sends `{team: "a"}` as `metadata[team]=a`, which the API takes as it takes `metadata.team=a`. Without a style,
 * OpenAPI's default (`form`, exploded) would send `team=a`, which names no filter.
 */
export function deepObjectQueries(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { parameters?: unknown[] }>)) {
      for (const parameter of operation.parameters ?? []) {
        const p = parameter as { in?: string; schema?: { type?: string }; style?: string; explode?: boolean };
        if (p.in === 'query' && p.schema?.type === 'object') Object.assign(p, { style: 'deepObject', explode: true });
      }
    }
  }
  return document;
}
