import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { NoAudit } from '../audit/audit.decorator';
import { ErrorCode } from '../common/errors/error-code';
import { Public } from '../common/http/public.decorator';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope';
import { RateLimit } from '../throttling/rate-limit.decorator';
import { WebVitalAcceptedDto, WebVitalDto } from './dto/web-vital.dto';
import { WebVitalEntity } from './entities/web-vital.entity';
import { Metrics } from './metrics.service';

/**
 * The page a report is about, as stored: origin and path only (null when it cannot be read). Anyone may report
 * (the route is public), so what a sender puts in the URL beyond the page (credentials, a query, a fragment with a
 * token) is not kept.
 */
function pageOf(url: string): string | null {
  // The URL check lets through a few hosts the WHATWG parser refuses (`xn--a.example`): those are not kept.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

@ApiTags('metrics')
@Controller('metrics')
export class WebVitalsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {}

  @Public()
  @NoAudit()
  @RateLimit('frontendMetrics')
  @Post('frontend')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'reportWebVital',
    summary: 'Report a web vital from a browser (public; 1000 per minute per IP by default)',
  })
  @ApiEnvelope(WebVitalAcceptedDto, { status: 202, description: 'Accepted' })
  @ApiErrors(ErrorCode.VALIDATION_FAILED, ErrorCode.RATE_LIMITED)
  async report(@Body() body: WebVitalDto): Promise<WebVitalAcceptedDto> {
    await this.dataSource.getRepository(WebVitalEntity).insert({
      name: body.name,
      value: body.value,
      rating: body.rating ?? null,
      metricId: body.id,
      sessionId: body.sessionId ?? null,
      url: body.url ? pageOf(body.url) : null,
      reportedAt: body.timestamp ?? null,
      receivedAt: new Date(),
    });
    this.metrics.webVital(body.name, body.value);
    return { accepted: true };
  }
}
