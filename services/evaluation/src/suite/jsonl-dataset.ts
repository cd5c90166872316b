import { ErrorCode, PlatformError } from '@llmops/grpc';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const caseSchema = z.object({
  input: z.string().min(1),
  expected: z.string(),
  collection: z.string().optional(),
  model: z.string().optional(),
});

export type DatasetCase = z.infer<typeof caseSchema>;

/** Reads a JSONL dataset; a bad line fails the run naming the line, before any call is made. */
export async function readJsonlDataset(path: string): Promise<DatasetCase[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PlatformError(ErrorCode.NotFound, `dataset not found: ${path}`);
  }
  const cases: DatasetCase[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const parsed = caseSchema.safeParse(JSON.parse(line));
      if (parsed.success) cases.push(parsed.data);
      else problems.push(`line ${index + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join(', ')}`);
    } catch {
      problems.push(`line ${index + 1}: not valid JSON`);
    }
  });
  if (problems.length > 0) throw new PlatformError(ErrorCode.InvalidRequest, `invalid dataset ${path}: ${problems.slice(0, 5).join('; ')}`);
  if (cases.length === 0) throw new PlatformError(ErrorCode.InvalidRequest, `dataset ${path} has no cases`);
  return cases;
}
