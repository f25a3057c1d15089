/**
 * The query history page at `/`: plain HTML, no script, the local stand-in for the Databricks
 * query history. It refreshes itself every few seconds.
 */
import type { QueryRecord } from '../operations/query-history.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function duration(record: QueryRecord): string {
  const end = record.endedAt ?? new Date();
  const ms = end.getTime() - record.submittedAt.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function historyPage(records: readonly QueryRecord[]): string {
  const rows = records
    .map(
      (r) => `<tr class="${r.state.toLowerCase()}">
  <td><code>${escapeHtml(r.queryId)}</code></td>
  <td><pre>${escapeHtml(r.statement)}</pre>${r.errorMessage ? `<div class="error">${escapeHtml(r.errorMessage)}</div>` : ''}</td>
  <td>${r.state}</td>
  <td>${escapeHtml(r.submittedAt.toISOString())}</td>
  <td>${duration(r)}${r.endedAt ? '' : ' (so far)'}</td>
  <td>${r.rowCount ?? ''}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>Query history - temporal-dbsql local warehouse</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4em; text-align: left; vertical-align: top; }
pre { margin: 0; white-space: pre-wrap; max-width: 60em; }
.error { color: #a00; }
tr.running td:nth-child(3) { color: #06c; }
tr.finished td:nth-child(3), tr.closed td:nth-child(3) { color: #080; }
tr.error td:nth-child(3), tr.canceled td:nth-child(3) { color: #a00; }
</style>
</head>
<body>
<h1>Query history</h1>
<p>${records.length} recent ${records.length === 1 ? 'query' : 'queries'}, newest first. JSON: <a href="/api/queries">/api/queries</a>.</p>
<table>
<thead><tr><th>Query id</th><th>Statement</th><th>State</th><th>Submitted</th><th>Duration</th><th>Rows</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
