#!/usr/bin/env bash
# The portal's front-end assets, from package-lock.json (never a CDN): GOV.UK Frontend's
# styles, scripts, fonts and images, htmx, and the portal's own script, copied into the
# git-ignored static folder the portal serves at /assets. axe-core stays in node_modules
# for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
static=src/srs_portal/static
rm -rf "$static"
mkdir -p "$static"
govuk=node_modules/govuk-frontend/dist/govuk
cp -R "$govuk/assets/." "$static/"
cp "$govuk/govuk-frontend.min.css" "$govuk/govuk-frontend.min.js" "$static/"
cp node_modules/htmx.org/dist/htmx.min.js "$static/"
cp assets/portal.js "$static/"
# Each workspace's own scripts and styles (e.g. the checkers' sortable tables).
cp assets/checking.js assets/checking.css "$static/"
