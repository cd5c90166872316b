import { create } from '@bufbuild/protobuf';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  Analytics,
  ListReportsResponseSchema,
  QueryResponseSchema,
  type ListReportsResponse,
  type QueryRequest,
  type QueryResponse,
} from '@llmops/contracts';
import { ErrorCode, GrpcRpc, PlatformError } from '@llmops/grpc';
import { toPlatformError } from './analytics-error.mapping';
import { AnalyticsQueryUseCase, type AnalyticsQuery } from './analytics-query.use-case';

@Controller()
export class AnalyticsGrpcController {
  constructor(private readonly queries: AnalyticsQueryUseCase) {}

  @GrpcRpc(Analytics, 'query')
  async query(@Payload() request: QueryRequest): Promise<QueryResponse> {
    try {
      const result = await this.queries.query(queryOf(request));
      return create(QueryResponseSchema, {
        columns: result.columns,
        rowsJson: result.rows.map((row) => JSON.stringify(row)),
        rowsRead: BigInt(Math.max(0, Math.trunc(result.rowsRead))),
        elapsedMs: result.elapsedMs,
      });
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Analytics, 'listReports')
  listReports(): ListReportsResponse {
    return create(ListReportsResponseSchema, {
      reports: this.queries.listReports().map((report) => ({
        name: report.name,
        description: report.description,
        params: report.params.map((param) => param.name),
      })),
    });
  }
}

function queryOf(request: QueryRequest): AnalyticsQuery {
  switch (request.query.case) {
    case 'report':
      return { kind: 'report', report: request.query.value, params: { ...request.params }, limit: request.limit };
    case 'sql':
      return { kind: 'sql', sql: request.query.value, limit: request.limit };
    case undefined:
      throw new PlatformError(ErrorCode.InvalidRequest, 'set either report or sql');
  }
}
