"""One Python connector contender of `npm run bench`, alone in its own process.

Reads the plan (as bench/support/contender.ts) as JSON on stdin; prints one JSON line with
its timings and this process's peak RSS.
"""

import json
import resource
import sys
import time

import databricks.sql


def main():
    plan = json.load(sys.stdin)
    ca_file = plan["caFile"]
    with databricks.sql.connect(
        server_hostname="ignored-when-connection-uri-is-set",
        http_path="ignored",
        access_token=plan["token"],
        _connection_uri=plan["url"],
        _tls_trusted_ca_file=ca_file,
    ) as connection:
        with connection.cursor() as cursor:
            contender = plan["contender"]
            if "rows" in plan:
                started = time.perf_counter()
                cpu = time.process_time()
                cursor.execute(plan["sql"])
                if contender == "Python connector fetchall":
                    rows = len(cursor.fetchall())
                else:
                    rows = cursor.fetchall_arrow().num_rows
                figures = {
                    "seconds": time.perf_counter() - started,
                    "cpuSeconds": time.process_time() - cpu,
                    "rows": rows,
                }
            else:
                runs = plan.get("runs", 200)
                for _ in range(10):
                    cursor.execute(plan["sql"])
                    cursor.fetchall()
                times = []
                for _ in range(runs):
                    started = time.perf_counter()
                    cursor.execute(plan["sql"])
                    cursor.fetchall()
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                figures = {"medianMs": times[runs // 2], "p95Ms": times[int(runs * 0.95)]}
    figures["peakRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
