import { Body, Controller, Delete, Get, Param, Patch, Post, SetMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { AuditRequestContext } from './audit-context';
import { AuditCoverage } from './audit-coverage';
import { RequestAuditContext } from './audit.decorator';
import { AUDIT_ACTION, NO_AUDIT } from './audit.metadata';

// The metadata alone: these controllers are never served, so the guard and filter `@AuditAction` adds are not needed.
const Declared = (action: string) => SetMetadata(AUDIT_ACTION, { action });

@Controller('declared')
class DeclaredController {
  @Get()
  read(): void {}

  @Post()
  @Declared('thing.create')
  create(@RequestAuditContext() _audit: AuditRequestContext): void {}

  @Delete(':id')
  @SetMetadata(NO_AUDIT, true)
  remove(): void {}
}

@Controller('undeclared')
class UndeclaredController {
  @Patch(':id')
  update(): void {}

  @Post('other')
  @Declared('thing.other')
  other(@RequestAuditContext() _audit: AuditRequestContext): void {}
}

@Controller('contextless')
class ContextlessController {
  @Post()
  @Declared('thing.create')
  create(@Body() _body: object): void {}

  @Patch(':id')
  @Declared('thing.update')
  update(@Param('id') _id: string, @RequestAuditContext() _audit: AuditRequestContext): void {}
}

@SetMetadata(NO_AUDIT, true)
@Controller('ingest')
class IngestController {
  @Post()
  ingest(): void {}
}

async function coverage(...controllers: (new () => object)[]): Promise<AuditCoverage> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers,
    providers: [AuditCoverage],
  }).compile();
  return moduleRef.get(AuditCoverage);
}

describe('AuditCoverage', () => {
  it('names each state-changing route that declares neither an audit action nor NoAudit', async () => {
    const check = await coverage(DeclaredController, UndeclaredController, IngestController);
    expect(check.undeclaredRoutes()).toEqual(['UndeclaredController.update']);
    expect(() => check.onModuleInit()).toThrow(/UndeclaredController\.update/);
  });

  it('names each audited route whose handler does not take its audit context', async () => {
    const check = await coverage(DeclaredController, ContextlessController);
    expect(check.undeclaredRoutes()).toEqual([]);
    expect(check.routesWithoutContext()).toEqual(['ContextlessController.create']);
    expect(() => check.onModuleInit()).toThrow(/@RequestAuditContext\(\): ContextlessController\.create$/);
  });

  it('lets an application whose changes are all declared, with their audit context, boot', async () => {
    const check = await coverage(DeclaredController, IngestController);
    expect(check.undeclaredRoutes()).toEqual([]);
    expect(check.routesWithoutContext()).toEqual([]);
    expect(() => check.onModuleInit()).not.toThrow();
  });
});
