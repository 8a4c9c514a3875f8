import { Injectable, type OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { AUDIT_ACTION, NO_AUDIT } from './audit.metadata';

const STATE_CHANGING = new Set([
  RequestMethod.POST,
  RequestMethod.PUT,
  RequestMethod.PATCH,
  RequestMethod.DELETE,
  RequestMethod.ALL,
]);

/**
 * Refuses to boot while a state-changing route declares neither `@AuditAction` (which also puts the audit
 * interceptor on it) nor `@NoAudit`: a change can never go unaudited by oversight.
 */
@Injectable()
export class AuditCoverage implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const undeclared = this.undeclaredRoutes();
    if (undeclared.length > 0) {
      throw new Error(`State-changing routes without @AuditAction or @NoAudit: ${undeclared.join(', ')}`);
    }
  }

  /** `Controller.method` of every state-changing route that declares neither. */
  undeclaredRoutes(): string[] {
    const undeclared: string[] = [];
    for (const { metatype, instance } of this.discovery.getControllers()) {
      if (!metatype || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      if (Reflect.getMetadata(NO_AUDIT, metatype)) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || !STATE_CHANGING.has(method)) continue;
        if (Reflect.getMetadata(AUDIT_ACTION, handler) || Reflect.getMetadata(NO_AUDIT, handler)) continue;
        undeclared.push(`${metatype.name}.${name}`);
      }
    }
    return undeclared;
  }
}
