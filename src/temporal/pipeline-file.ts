/**
 * Pipeline definitions as files: YAML or JSON (JSON is read by the same YAML 1.2 parser, so
 * both get line numbers in errors). The file holds a `SqlPipelineInput`:
 *
 * ```yaml
 * maxParallel: 2
 * steps:
 *   - name: watermark
 *     statement: SELECT max(ts) AS max_ts FROM sales_loaded
 *   - name: stage
 *     dependsOn: [watermark]
 *     statement: INSERT INTO sales_stage SELECT * FROM sales_raw WHERE ts > :since
 *     params: { since: { fromStep: watermark, column: max_ts } }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { SqlPipelineInput } from '../../workflows/pipeline-messages.js';
import { findPipelineProblem } from '../../workflows/pipeline-validation.js';

/** A pipeline file that cannot be read, parsed or validated; the message names the file, line, step and field. */
export class PipelineFileError extends Error {
  override readonly name = 'PipelineFileError';
  readonly file: string;
  /** 1-based line of the problem, when known. */
  readonly line?: number;
  /** The offending step's name, when a step is to blame. */
  readonly step?: string;
  /** The offending field, e.g. 'steps[1].dependsOn[0]'. */
  readonly field?: string;
  constructor(file: string, message: string, where: { line?: number; step?: string; field?: string } = {}) {
    super(`${file}${where.line ? `:${where.line}` : ''}: ${message}`);
    this.file = file;
    this.line = where.line;
    this.step = where.step;
    this.field = where.field;
  }
}

/** Reads, parses and validates a pipeline file; throws `PipelineFileError`. */
export async function loadPipelineFile(file: string): Promise<SqlPipelineInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PipelineFileError(file, `cannot read the file: ${(error as Error).message}`);
  }
  return parsePipelineDefinition(text, file);
}

/** Parses and validates a pipeline definition (YAML or JSON text); `file` names it in errors. */
export function parsePipelineDefinition(text: string, file: string): SqlPipelineInput {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new PipelineFileError(file, `not valid YAML or JSON: ${syntax.message}`, { line });
  }
  const input: unknown = document.toJS();
  const problem = findPipelineProblem(input, true);
  if (problem) {
    const line = lineOf(document, lineCounter, problem.field);
    const message =
      problem.step && !problem.message.includes(`'${problem.step}'`)
        ? `step '${problem.step}': ${problem.message}`
        : problem.message;
    throw new PipelineFileError(file, `${message} (field ${problem.field})`, { line, step: problem.step, field: problem.field });
  }
  return input as SqlPipelineInput;
}

/** The line of a field path like 'steps[1].params.since.fromStep' (or of its nearest parent found). */
function lineOf(document: Document, lineCounter: LineCounter, field: string): number | undefined {
  const path = field.split(/\.|(?=\[)/).map((part) => (part.startsWith('[') ? Number(part.slice(1, -1)) : part));
  for (let length = path.length; length > 0; length--) {
    const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
