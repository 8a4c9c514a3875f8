import { Controller, Delete, Get, Patch, Post, SetMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AuditCoverage } from './audit-coverage';
import { AUDIT_ACTION, NO_AUDIT } from './audit.metadata';

// The metadata alone: these controllers are never served, so the interceptor `@AuditAction` adds is not needed.
const Declared = (action: string) => SetMetadata(AUDIT_ACTION, { action });

@Controller('declared')
class DeclaredController {
  @Get()
  read(): void {}

  @Post()
  @Declared('thing.create')
  create(): void {}

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
  other(): void {}
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

  it('lets an application whose changes are all declared boot', async () => {
    const check = await coverage(DeclaredController, IngestController);
    expect(check.undeclaredRoutes()).toEqual([]);
    expect(() => check.onModuleInit()).not.toThrow();
  });
});
