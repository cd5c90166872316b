import { Controller, Get, Res } from '@nestjs/common';
import { metricsText } from '@llmops/telemetry';
import type { Response } from 'express';

/** Prometheus scrape endpoint: process, gRPC, request-path and event-publisher metrics. */
@Controller()
export class MetricsHttpController {
  @Get('metrics')
  async metrics(@Res() response: Response): Promise<void> {
    const { contentType, body } = await metricsText();
    response.setHeader('content-type', contentType);
    response.send(body);
  }
}
