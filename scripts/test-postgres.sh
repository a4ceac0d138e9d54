#!/usr/bin/env bash
# The storage contract suite and the HTTP suite on a real, throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/with-postgres.sh npx vitest run --project storage --project http
