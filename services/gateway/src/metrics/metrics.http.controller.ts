import { Controller, Get, Res } from '@nestjs/common';
import { metricsText } from '@llmops/telemetry';
import type { FastifyReply } from 'fastify';

/** Prometheus scrape endpoint: process, gRPC, request-path and event-publisher metrics. */
@Controller()
export class MetricsHttpController {
  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await metricsText();
    reply.header('content-type', contentType).send(body);
  }
}
