#!/usr/bin/env bash
# The storage contract suite and the HTTP suite on a real, throwaway PostgreSQL server.
# Left out here: the PDF layout test (Chromium lays out the pages; the book's reads from the
# database are the same ones book-build.test.ts and admin-book-builds.test.ts run on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/with-postgres.sh npx vitest run --project storage --project http --exclude 'test/cli/book-pdf.test.ts'
