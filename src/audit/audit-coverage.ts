import { Injectable, type OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { takesRequestAuditContext } from './audit.decorator';
import { AUDIT_ACTION, NO_AUDIT } from './audit.metadata';

const STATE_CHANGING = new Set([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
  RequestMethod.ALL,
]);

/**
 * Refuses to boot while a state-changing route declares neither `@AuditAction` nor `@NoAudit`, or declares
 * `@AuditAction` with a handler that does not take `@RequestAuditContext()` (its services could not write
 * the entry with the change): a change can never go unaudited by oversight.
 */
@Injectable()
export class AuditCoverage implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const { undeclared, withoutContext } = this.routes();
    if (undeclared.length > 0) {
      throw new Error(`State-changing routes without @AuditAction or @NoAudit: ${undeclared.join(', ')}`);
    }
    if (withoutContext.length > 0) {
      throw new Error(
        `@AuditAction routes whose handler does not take @RequestAuditContext(): ${withoutContext.join(', ')}`,
      );
    }
  }

  /** `Controller.method` of every state-changing route that declares neither. */
  undeclaredRoutes(): string[] {
    return this.routes().undeclared;
  }

  /** `Controller.method` of every `@AuditAction` route whose handler does not take its audit context. */
  routesWithoutContext(): string[] {
    return this.routes().withoutContext;
  }

  private routes(): { undeclared: string[]; withoutContext: string[] } {
    const undeclared: string[] = [];
    const withoutContext: string[] = [];
    for (const { metatype, instance } of this.discovery.getControllers()) {
      if (!metatype || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      if (Reflect.getMetadata(NO_AUDIT, metatype)) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || !STATE_CHANGING.has(method)) continue;
        if (Reflect.getMetadata(AUDIT_ACTION, handler)) {
          if (!takesRequestAuditContext(metatype, name)) withoutContext.push(`${metatype.name}.${name}`);
        } else if (!Reflect.getMetadata(NO_AUDIT, handler)) {
          undeclared.push(`${metatype.name}.${name}`);
        }
      }
    }
    return { undeclared, withoutContext };
  }
}
