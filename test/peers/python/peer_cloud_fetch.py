"""Reads one large result with the official Python connector, cloud fetch on (its default).

Reads {"uri", "token", "sql"} on stdin; prints {"connector", "rows", "digest", "downloads"}:
the row count, a SHA-256 over the rows' text lines (as test/peers/cloud-fetch.test.ts builds
them from the other clients), and how many result files the connector downloaded.
"""

import hashlib
import json
import logging
import sys

import databricks.sql


class CountDownloads(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        if "successfully downloaded file" in record.getMessage():
            self.count += 1


def line(values):
    return "|".join("" if v is None else str(v) for v in values)


def main():
    plan = json.load(sys.stdin)
    downloads = CountDownloads()
    downloader = logging.getLogger("databricks.sql.cloudfetch.downloader")
    downloader.setLevel(logging.DEBUG)
    downloader.addHandler(downloads)
    with databricks.sql.connect(
        server_hostname="ignored-when-connection-uri-is-set",
        http_path="ignored",
        access_token=plan["token"],
        _connection_uri=plan["uri"],
        _retry_stop_after_attempts_count=2,
    ) as connection:
        with connection.cursor() as cursor:
            cursor.execute(plan["sql"])
            table = cursor.fetchall_arrow()
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    digest = hashlib.sha256()
    for row in zip(*columns):
        digest.update((line(row) + "\n").encode())
    json.dump(
        {
            "connector": databricks.sql.__version__,
            "rows": table.num_rows,
            "digest": digest.hexdigest(),
            "downloads": downloads.count,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
