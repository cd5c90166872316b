import type { ReportDefinition } from '../reports/report-catalog';
import type { ReportParamValues, ReportResult, ReportRunner } from '../reports/report-runner';

export type AnalyticsQuery =
  | { kind: 'report'; report: string; params: ReportParamValues; limit?: number }
  | { kind: 'sql'; sql: string; limit?: number };

/** Named reports and read-only SQL, answered in one shape; `limit` (when above 0) caps the rows returned. */
export class AnalyticsQueryUseCase {
  constructor(private readonly reports: Pick<ReportRunner, 'list' | 'run' | 'runSql'>) {}

  async query(query: AnalyticsQuery): Promise<ReportResult> {
    const result = query.kind === 'report' ? await this.reports.run(query.report, query.params) : await this.reports.runSql(query.sql);
    // The SQL guard already bounds the result size; this is the caller's own, smaller cap.
    const limit = query.limit ?? 0;
    return limit > 0 && result.rows.length > limit ? { ...result, rows: result.rows.slice(0, limit) } : result;
  }

  listReports(): ReportDefinition[] {
    return this.reports.list();
  }
}
