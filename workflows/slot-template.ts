/**
 * Result paths templated with a scheduled run's slot time, so runs never overwrite each other:
 * `{date}` 2026-11-28, `{time}` 02-00-00, `{datetime}` 2026-11-28T02-00-00Z, `{year}`,
 * `{month}`, `{day}`, `{hour}`, `{minute}`; all UTC, ':' never used (it is awkward in S3 keys
 * and file names). Slots are whole seconds, as Temporal keeps them (a schedule's run ids are
 * `<schedule id>-<slot to the second>`): `{datetime}` is unique per run. Pure code: loaded into the workflow sandbox and used by the client to validate.
 */
import type { SqlQueryInput } from './messages.js';
import type { SqlPipelineInput } from './pipeline-messages.js';
import { findPipelineProblem } from './pipeline-validation.js';
import { findInputProblem } from './validation.js';

/** What a schedule runs: exactly one of a query or a pipeline. */
export interface ScheduledSqlInput {
  query?: SqlQueryInput;
  pipeline?: SqlPipelineInput;
}

export const SLOT_FIELDS = ['date', 'time', 'datetime', 'year', 'month', 'day', 'hour', 'minute'] as const;
const TOKEN = /\{([^{}]*)\}/g;

/** The tokens' values for a slot time. */
export function slotValues(slot: Date): Record<(typeof SLOT_FIELDS)[number], string> {
  const iso = slot.toISOString(); // 2026-11-28T02:00:00.000Z
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19).replace(/:/g, '-');
  return {
    date,
    time,
    datetime: `${date}T${time}Z`,
    year: iso.slice(0, 4),
    month: iso.slice(5, 7),
    day: iso.slice(8, 10),
    hour: iso.slice(11, 13),
    minute: iso.slice(14, 16),
  };
}

/** Replaces the tokens of `template`; unknown tokens are refused up front by `templateProblem`. */
export function fillTemplate(template: string, slot: Date): string {
  const values = slotValues(slot) as Record<string, string>;
  return template.replace(TOKEN, (whole, name: string) => values[name] ?? whole);
}

/** A token that is not one of SLOT_FIELDS, as a message, or undefined. */
function templateProblem(template: string): string | undefined {
  for (const [, name] of template.matchAll(TOKEN)) {
    if (!(SLOT_FIELDS as readonly string[]).includes(name!)) {
      return `{${name}} is not a slot field (known: ${SLOT_FIELDS.map((f) => `{${f}}`).join(', ')})`;
    }
  }
  return undefined;
}

/** The input with every sink URL filled in for `slot`. */
export function fillSlotTemplates(input: ScheduledSqlInput, slot: Date): ScheduledSqlInput {
  if (input.query) {
    const sink = input.query.resultSink;
    return { query: sink ? { ...input.query, resultSink: { ...sink, url: fillTemplate(sink.url, slot) } } : input.query };
  }
  const pipeline = input.pipeline!;
  return {
    pipeline: {
      ...pipeline,
      steps: pipeline.steps.map((step) =>
        step.resultSink ? { ...step, resultSink: { ...step.resultSink, url: fillTemplate(step.resultSink.url, slot) } } : step,
      ),
    },
  };
}

/** The first problem of a scheduled input (naming the field), or undefined. */
export function findScheduledInputProblem(input: unknown): { field: string; message: string } | undefined {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const kinds = ['query', 'pipeline'].filter((k) => i[k] !== undefined);
  if (kinds.length !== 1 || Object.keys(i).some((k) => k !== 'query' && k !== 'pipeline')) {
    return { field: 'input', message: 'a schedule runs exactly one of { query } or { pipeline }' };
  }
  if (i.query !== undefined) {
    const problem = findInputProblem(i.query, true);
    if (problem) return { field: `query.${problem.field}`, message: `query: ${problem.message}` };
    const url = (i.query as SqlQueryInput).resultSink?.url;
    const bad = typeof url === 'string' ? templateProblem(url) : undefined;
    return bad ? { field: 'query.resultSink.url', message: `query.resultSink.url: ${bad}` } : undefined;
  }
  const problem = findPipelineProblem(i.pipeline, true);
  if (problem) return { field: `pipeline.${problem.field}`, message: `pipeline: ${problem.message}` };
  for (const [index, step] of (i.pipeline as SqlPipelineInput).steps.entries()) {
    const bad = step.resultSink ? templateProblem(step.resultSink.url) : undefined;
    if (bad) return { field: `pipeline.steps[${index}].resultSink.url`, message: `step '${step.name}': resultSink.url: ${bad}` };
  }
  return undefined;
}
