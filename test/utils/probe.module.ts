import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, type MessageEvent, Module, Post, Query, Sse } from '@nestjs/common';
import { Type } from 'class-transformer';
import { interval, map, type Observable, take } from 'rxjs';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Page } from '../../src/common/http/envelope';
import { PageQueryDto } from '../../src/common/http/page-query.dto';
import type { AuditRequestContext } from '../../src/audit/audit-context';
import { AuditAction, RequestAuditContext } from '../../src/audit/audit.decorator';
import { AuditService } from '../../src/audit/audit.service';
import { ConflictError } from '../../src/common/errors/app.error';
import { Public } from '../../src/common/http/public.decorator';

class ProbeConfigDto {
  @IsInt()
  @Min(0)
  @Max(15)
  precision!: number;
}

class ProbeBodyDto {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProbeConfigDto)
  config?: ProbeConfigDto;
}

/** Routes that exist only in tests, to drive the shared HTTP plumbing through real requests. */
@Public()
@Controller('probe')
class ProbeController {
  constructor(private readonly audit: AuditService) {}

  @Post('echo')
  @AuditAction('probe.echo')
  echo(@Body() body: ProbeBodyDto, @RequestAuditContext() _audit: AuditRequestContext): ProbeBodyDto {
    return body;
  }

  @Get('list')
  list(@Query() query: PageQueryDto): Page<number> {
    const all = Array.from({ length: 120 }, (_, i) => 120 - i);
    return new Page(all.slice(query.skip, query.skip + query.limit), all.length, query.skip, query.limit);
  }

  @Get('boom')
  boom(): never {
    throw new Error('duplicate key value violates unique constraint "users_pkey" password=hunter2 SELECT * FROM users');
  }

  @Get('slow')
  async slow(): Promise<{ done: boolean }> {
    await new Promise((resolve) => setTimeout(resolve, 800));
    return { done: true };
  }

  /** A stream of 12 events over about 600 ms: longer than the tests' request deadline. */
  @Sse('ticks')
  ticks(): Observable<MessageEvent> {
    return interval(50).pipe(
      take(12),
      map((n) => ({ data: { n } })),
    );
  }

  /** A change whose service writes no audit entry: it is written before the answer is sent. */
  @Post('things')
  @AuditAction('probe.make')
  make(@RequestAuditContext() _audit: AuditRequestContext): { id: string } {
    return { id: randomUUID() };
  }

  @Post('slow-things')
  @AuditAction('probe.makeSlowly')
  async makeSlowly(@RequestAuditContext() _audit: AuditRequestContext): Promise<{ id: string }> {
    await new Promise((resolve) => setTimeout(resolve, 800));
    return { id: randomUUID() };
  }

  /** A change whose work never ends (a lock never released, a call never answered). */
  @Post('stuck-things')
  @AuditAction('probe.makeStuck')
  makeStuck(@RequestAuditContext() _audit: AuditRequestContext): Promise<never> {
    return new Promise<never>(() => undefined);
  }

  /**
   * A change that records its own entry with the context it is handed, as every service does.
   * `?outcome=conflict` fails in the handler; `?outcome=late` fails after the deadline; `?outcome=late-made`
   * makes its change after the deadline.
   */
  @Post('explicit-things')
  @AuditAction('probe.makeExplicitly', 'thing')
  async makeExplicitly(
    @Body() body: ProbeBodyDto,
    @Query('outcome') outcome: string | undefined,
    @RequestAuditContext() audit: AuditRequestContext,
  ): Promise<{ id: string; name: string }> {
    if (outcome?.startsWith('late')) await new Promise((resolve) => setTimeout(resolve, 800));
    if (outcome && outcome !== 'late-made') throw new ConflictError(`probe ${outcome}`);
    const id = randomUUID();
    await this.audit.record(
      { action: 'probe.makeExplicitly', outcome: 'success', resourceType: 'thing', resourceId: id },
      undefined,
      audit,
    );
    return { id, name: body.name };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
