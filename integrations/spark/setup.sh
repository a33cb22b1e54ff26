#!/usr/bin/env bash
# Installs PySpark (pinned, from PyPI) into integrations/spark/.venv when it is
# missing, and prints that venv's python on stdout. Needs python3 with venv
# and a Java 17+ runtime (`java` on PATH or JAVA_HOME) to run the job.
#
#   python=$(bash integrations/spark/setup.sh)
#   "$python" integrations/spark/test_spark_recipe.py --goodwill target/release/goodwill
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=$here/.venv
pyspark_version=4.3.0

if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$pyspark_version')" 2>/dev/null; then
    printf '==> installing pyspark %s into %s\n' "$pyspark_version" "$venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$pyspark_version"
fi
echo "$venv/bin/python"
