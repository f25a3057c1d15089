"""Drives the official Python connector (databricks-sql-connector) against a server.

Reads a JSON plan on stdin: {"uri", "token", "connections"?: {name: connect() options},
"scenarios": [{"name", "kind", "sql", "params"?, "connection"?, ...}]}
and prints one JSON object {"connector": version, "results": {name: outcome}} on stdout.
With PEER_WITHOUT_PYARROW=1 in the environment the connector runs as without pyarrow.
Values are printed in the canonical form the Node tests also build from our driver's rows
(test/peers/support/canonical.ts), so the two sides compare with a plain deep-equal:
  int -> {"int": "123"}, DECIMAL -> {"decimal": "12.30"}, BINARY -> {"binary": hex},
  DATE -> {"date": "YYYY-MM-DD"}, TIMESTAMP -> {"timestamp": ISO-8601 UTC with microseconds},
  MAP -> {"map": [[k, v], ...]}, STRUCT -> {"struct": {...}}, ARRAY -> list,
  float/str/bool/None as themselves.
"""

import datetime
import decimal
import json
import math
import os
import sys
import time
import uuid

if os.environ.get("PEER_WITHOUT_PYARROW") == "1":
    # as if pyarrow were not installed (it is optional since 4.0): the connector then asks for
    # column-based results
    sys.modules["pyarrow"] = None

import databricks.sql
from databricks.sql.backend.types import CommandState

POLL_SECONDS = 0.05
DEADLINE_SECONDS = 60.0


def canonical(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        # pandas turns a NULL inside an integer array into NaN (and the ints into floats)
        return {"nan": True} if math.isnan(value) else value
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"binary": bytes(value).hex()}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        utc = value.astimezone(datetime.timezone.utc)
        return {"timestamp": utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}Z"}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, dict):
        return {"struct": {k: canonical(v) for k, v in value.items()}}
    if hasattr(value, "tolist"):  # numpy arrays and numpy scalars (pandas conversion)
        return canonical(value.tolist())
    if isinstance(value, (list, tuple)):
        items = list(value)
        # pyarrow and pandas give a MAP as a list of (key, value) tuples
        if items and all(isinstance(i, tuple) and len(i) == 2 for i in items):
            return {"map": [[canonical(k), canonical(v)] for k, v in items]}
        return [canonical(i) for i in items]
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def canonical_rows(rows):
    return [[canonical(v) for v in row] for row in rows]


def state_name(state):
    """The connector's own name for a query state (CommandState since 4.1: SUCCEEDED, CANCELLED, ...)."""
    return state.name


def describe(cursor):
    return [[d[0], d[1]] for d in cursor.description]


def error_outcome(exc):
    return {"error": type(exc).__name__, "message": str(exc)}


def run_fetchall(conn, s):
    with conn.cursor() as cursor:
        cursor.execute(s["sql"], s.get("params"))
        return {"columns": describe(cursor), "rows": canonical_rows(cursor.fetchall())}


def run_fetchmany(conn, s):
    with conn.cursor() as cursor:
        cursor.execute(s["sql"], s.get("params"))
        batches = []
        while True:
            batch = cursor.fetchmany(s["size"])
            if not batch:
                break
            batches.append(canonical_rows(batch))
        return {"batches": batches}


def run_arrow(conn, s):
    with conn.cursor() as cursor:
        cursor.execute(s["sql"], s.get("params"))
        table = cursor.fetchall_arrow()
        rows = [[canonical(v) for v in row.values()] for row in table.to_pylist()]
        return {
            "fields": [[f.name, str(f.type)] for f in table.schema],
            "rows": rows,
        }


def wait_while_pending(cursor):
    states = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        state = cursor.get_query_state()
        if not states or states[-1] != state_name(state):
            states.append(state_name(state))
        if state not in (CommandState.PENDING, CommandState.RUNNING):
            return states
        if time.monotonic() > deadline:
            raise TimeoutError(f"still {states[-1]} after {DEADLINE_SECONDS}s")
        time.sleep(POLL_SECONDS)


def run_async(conn, s):
    with conn.cursor() as cursor:
        cursor.execute_async(s["sql"], s.get("params"))
        query_id = str(uuid.UUID(bytes=cursor.active_command_id.guid))
        states = wait_while_pending(cursor)
        cursor.get_async_execution_result()
        return {"queryId": query_id, "states": states, "rows": canonical_rows(cursor.fetchall())}


def run_cancel(conn, s):
    with conn.cursor() as cursor:
        cursor.execute_async(s["sql"], s.get("params"))
        first = state_name(cursor.get_query_state())
        cursor.cancel()
        states = wait_while_pending(cursor)
        outcome = {"firstState": first, "states": states}
        try:
            cursor.get_async_execution_result()
            outcome["result"] = "returned rows"
        except Exception as exc:  # the connector raises its own Error for a canceled query
            outcome["result"] = error_outcome(exc)
        return outcome


def run_submit(conn, s):
    """Submits and leaves the query on the server, for another client to pick up."""
    cursor = conn.cursor()
    cursor.execute_async(s["sql"], s.get("params"))
    command_id = cursor.active_command_id  # the Thrift operation handle's guid and secret
    query_id = uuid.UUID(bytes=command_id.guid)
    query_secret = uuid.UUID(bytes=command_id.secret)
    return {"serialized": f"{query_id}:{query_secret}"}


def run_async_error(conn, s):
    """A failing statement submitted with execute_async: where does the error surface?"""
    with conn.cursor() as cursor:
        try:
            cursor.execute_async(s["sql"], s.get("params"))
        except Exception as exc:
            return {"at": "submit", **error_outcome(exc)}
        try:
            states = wait_while_pending(cursor)
            return {"at": "none", "states": states}
        except Exception as exc:
            return {"at": "poll", **error_outcome(exc)}


def run_error(conn, s):
    with conn.cursor() as cursor:
        try:
            cursor.execute(s["sql"], s.get("params"))
            return {"result": "no error", "rows": canonical_rows(cursor.fetchall())}
        except Exception as exc:
            return error_outcome(exc)


RUNNERS = {
    "fetchall": run_fetchall,
    "fetchmany": run_fetchmany,
    "arrow": run_arrow,
    "async": run_async,
    "cancel": run_cancel,
    "error": run_error,
    "submit": run_submit,
    "async_error": run_async_error,
}


def main():
    plan = json.load(sys.stdin)
    results = {}
    connections = {}
    try:
        for scenario in plan["scenarios"]:
            name = scenario.get("connection", "default")
            if name not in connections:
                # options of the connection, e.g. Arrow without native types and without LZ4
                options = plan.get("connections", {}).get(name, {})
                connections[name] = databricks.sql.connect(
                    server_hostname="ignored-when-connection-uri-is-set",
                    http_path="ignored",
                    access_token=plan["token"],
                    _connection_uri=plan["uri"],
                    _retry_stop_after_attempts_count=2,
                    **options,
                )
            try:
                results[scenario["name"]] = RUNNERS[scenario["kind"]](connections[name], scenario)
            except Exception as exc:
                results[scenario["name"]] = {"unexpected": error_outcome(exc)}
    finally:
        for conn in connections.values():
            conn.close()
    json.dump({"connector": databricks.sql.__version__, "results": results}, sys.stdout)


def run_metadata(conn, s):
    """A catalog call: cursor.catalogs(), schemas(), tables() or columns() with keyword args."""
    with conn.cursor() as cursor:
        for statement in s.get("setup", []):
            cursor.execute(statement)
        getattr(cursor, s["call"])(**s.get("args", {}))
        return {"columns": describe(cursor), "rows": canonical_rows(cursor.fetchall())}


RUNNERS["metadata"] = run_metadata


def run_transactions(conn, s):
    """connection.autocommit = False, commit() and rollback(), as the connector's docs use them."""
    outcome = {}
    with conn.cursor() as cursor:
        cursor.execute(f"CREATE OR REPLACE TABLE {s['table']} (id INT)")
        conn.autocommit = False
        outcome["autocommit_off"] = conn.autocommit
        cursor.execute(f"INSERT INTO {s['table']} VALUES (1)")
        conn.commit()
        cursor.execute(f"INSERT INTO {s['table']} VALUES (2)")
        conn.rollback()
        conn.autocommit = True
        outcome["autocommit_on"] = conn.autocommit
        cursor.execute(s["sql"])
        outcome["ids"] = [row[0] for row in cursor.fetchall()]
        try:
            conn.commit()
            outcome["commit_without_transaction"] = "no error"
        except Exception as exc:
            outcome["commit_without_transaction"] = error_outcome(exc)
        conn.rollback()
    return outcome


RUNNERS["transactions"] = run_transactions


def run_statements(conn, s):
    """Statements in order on one cursor (with row_limit if given): each one's rowcount, columns, rows."""
    outcomes = []
    with conn.cursor(row_limit=s.get("row_limit")) as cursor:
        for statement in s["statements"]:
            cursor.execute(statement, s.get("params"))
            columns = [[d[0], d[1]] for d in cursor.description or []]
            rows = canonical_rows(cursor.fetchall()) if columns else []
            outcomes.append({"rowcount": cursor.rowcount, "columns": columns, "rows": rows})
    return {"statements": outcomes}


RUNNERS["statements"] = run_statements


def run_staging(conn, s):
    """PUT, GET and REMOVE through the connector's staging ingestion, local files in s["dir"]."""
    source = os.path.join(s["dir"], "upload.csv")
    target = os.path.join(s["dir"], "download.csv")
    with open(source, "w") as f:
        f.write(s["content"])
    volume_file = s["volume_file"]
    outcome = {}
    with conn.cursor() as cursor:
        cursor.execute(f"PUT '{source}' INTO '{volume_file}' OVERWRITE")
        cursor.execute(f"GET '{volume_file}' TO '{target}'")
        with open(target) as f:
            outcome["downloaded"] = f.read()
        try:
            cursor.execute(f"GET '{volume_file}' TO '/etc/not-allowed.csv'")
            outcome["outside_allowed_path"] = "no error"
        except Exception as exc:
            outcome["outside_allowed_path"] = error_outcome(exc)
        cursor.execute(f"REMOVE '{volume_file}'")
        try:
            cursor.execute(f"GET '{volume_file}' TO '{target}'")
            outcome["after_remove"] = "no error"
        except Exception as exc:
            outcome["after_remove"] = error_outcome(exc)
    return outcome


RUNNERS["staging"] = run_staging


def corpus_value(value):
    """canonical(), with the floats JSON cannot hold (Infinity, -Infinity) as text."""
    if isinstance(value, float) and math.isinf(value):
        return {"float": "Infinity" if value > 0 else "-Infinity"}
    if isinstance(value, (list, tuple)) and not (value and all(isinstance(i, tuple) and len(i) == 2 for i in value)):
        return [corpus_value(i) for i in value]
    return canonical(value)


def run_corpus(conn, s):
    """The SQL corpus on one cursor: s["setup"], then each case's setup and statement. Rows come
    through fetchall_arrow (fetchall's pandas step turns NULL inside an integer array into NaN),
    column by column (to_pylist() of rows would merge columns of the same name)."""
    outcomes = []
    with conn.cursor() as cursor:
        for statement in s["setup"]:
            cursor.execute(statement)
        for case in s["cases"]:
            try:
                for statement in case.get("setup", []):
                    cursor.execute(statement)
                cursor.execute(case["sql"])
                if not cursor.description:
                    outcomes.append({"types": [], "rows": []})
                    continue
                columns = [column.to_pylist() for column in cursor.fetchall_arrow().columns]
                rows = [[corpus_value(column[i]) for column in columns] for i in range(len(columns[0]) if columns else 0)]
                outcomes.append({"types": [d[1] for d in cursor.description], "rows": rows})
            except Exception as exc:
                outcomes.append(error_outcome(exc))
    return {"cases": outcomes}


RUNNERS["corpus"] = run_corpus


def run_refused(conn, s):
    """What a user sees when the warehouse refuses a request: a connection with s["token"]
    (the warehouse states its reason in the headers Databricks uses)."""
    try:
        databricks.sql.connect(
            server_hostname="ignored-when-connection-uri-is-set",
            http_path="ignored",
            access_token=s["token"],
            _connection_uri=s["uri"],
            _retry_stop_after_attempts_count=1,
        ).close()
        return {"result": "no error"}
    except Exception as exc:
        context = getattr(exc, "context", None) or {}
        return {**error_outcome(exc), "http_code": context.get("http-code")}


RUNNERS["refused"] = run_refused


if __name__ == "__main__":
    main()
