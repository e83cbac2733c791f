#!/usr/bin/env bash
# System packages the application and its tests need (Debian), then the two
# checkers the tests run from npm (axe-core in the browser tests, the Nu Html
# Checker's vnu.jar) into the git-ignored .cache/npm/.  Installs only what is
# missing; needs root (or sudo) for the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES=(fonts-ipaexfont poppler-utils chromium sqlite3 python3-venv zint)
# npm and java are wanted as commands: a machine that has them from elsewhere
# (Node.js from NodeSource, whose nodejs conflicts with Debian's npm) keeps its own.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
command -v java >/dev/null 2>&1 || PACKAGES+=(default-jre-headless)
NPM_DIR=.cache/npm
NPM_PACKAGES=(axe-core@4.14.1 vnu-jar@26.9.27)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm_missing=()
for spec in "${NPM_PACKAGES[@]}"; do
  manifest="$NPM_DIR/node_modules/${spec%@*}/package.json"
  installed=$(node -p "require('./$manifest').version" 2>/dev/null || true)
  [ "$installed" = "${spec##*@}" ] || npm_missing+=("$spec")
done
if [ ${#npm_missing[@]} -gt 0 ]; then
  echo "installing npm packages into $NPM_DIR: ${npm_missing[*]}"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --save-exact --no-audit --no-fund --loglevel=error "${npm_missing[@]}"
fi
