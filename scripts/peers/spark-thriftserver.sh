#!/usr/bin/env bash
# Apache Spark's Thrift server (HiveServer2 protocol), the independent server peer of issue 5.
#
#   spark-thriftserver.sh fetch            copy the jars from Maven Central into the cache
#                                          (idempotent); prints the jars directory
#   spark-thriftserver.sh start PORT DIR   run the server in the foreground until SIGTERM, HTTP
#                                          transport on 127.0.0.1:PORT/cliservice, local[1]
#                                          master, derby metastore and warehouse inside DIR
#                                          (a temp dir). With SPARK_PEER_PARENT_PID set, the
#                                          server also stops when that process is gone (a
#                                          test runner killed before its cleanup), and DIR
#                                          is removed
#
# The jars live in ${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/spark-<version>/jars;
# Maven's local repository (~/.m2) caches the downloads themselves.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/spark/pom.xml"
spark_version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$pom")"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/temporal-dbsql/spark-$spark_version"
jars="$cache_dir/jars"

fetch() {
  if [ ! -f "$cache_dir/.complete" ]; then
    rm -rf "$jars"
    mkdir -p "$jars"
    mvn -q -B -f "$pom" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$jars" >&2
    touch "$cache_dir/.complete"
  fi
  echo "$jars"
}

start() {
  local port="$1" work="$2"
  [ -f "$cache_dir/.complete" ] || fetch >/dev/null
  mkdir -p "$work"
  cd "$work"
  # Spark 3.5 on Java 17 reflects into these JDK packages (list from Spark's launcher,
  # JavaModuleOptions); without them the SparkContext fails to start.
  local opens=(
    java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util
    java.util.concurrent java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs
    sun.security.action sun.util.calendar
  )
  # UTC everywhere: TIMESTAMP values travel as zone-less text in column-based results
  local jvm_flags=(-Xmx1g -XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false -Duser.timezone=UTC)
  for p in "${opens[@]}"; do jvm_flags+=("--add-opens=java.base/$p=ALL-UNNAMED"); done
  java "${jvm_flags[@]}" \
    -Dspark.master='local[1]' \
    -Dspark.app.name=temporal-dbsql-peer \
    -Dspark.ui.enabled=false \
    -Dspark.driver.host=127.0.0.1 \
    -Dspark.driver.bindAddress=127.0.0.1 \
    -Dspark.sql.shuffle.partitions=1 \
    -Dspark.sql.session.timeZone=UTC \
    -Dspark.sql.warehouse.dir="$work/warehouse" \
    -Dderby.system.home="$work" \
    -cp "$jars/*" \
    org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 \
    --hiveconf hive.server2.transport.mode=http \
    --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
    --hiveconf hive.server2.thrift.http.port="$port" \
    --hiveconf hive.server2.thrift.http.path=cliservice \
    --hiveconf hive.server2.authentication=NONE \
    --hiveconf hive.server2.enable.doAs=false \
    --hiveconf javax.jdo.option.ConnectionURL="jdbc:derby:;databaseName=$work/metastore_db;create=true" \
    --hiveconf hive.metastore.warehouse.dir="$work/warehouse" &
  local jvm=$!
  trap 'kill "$jvm" 2>/dev/null; wait "$jvm"; exit 0' TERM INT
  local parent="${SPARK_PEER_PARENT_PID:-}"
  while kill -0 "$jvm" 2>/dev/null; do
    if [ -n "$parent" ] && ! kill -0 "$parent" 2>/dev/null; then
      kill "$jvm"; wait "$jvm"; rm -rf "$work"; exit 0   # nobody is left to clean up
    fi
    sleep 1 & wait $!   # interruptible, so SIGTERM is handled at once
  done
  wait "$jvm"
}

case "${1:-}" in
  fetch) fetch ;;
  start) [ $# -eq 3 ] || { echo "usage: $0 start PORT DIR" >&2; exit 2; }; start "$2" "$3" ;;
  *) echo "usage: $0 fetch | start PORT DIR" >&2; exit 2 ;;
esac
