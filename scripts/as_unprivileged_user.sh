#!/usr/bin/env bash
# Runs a command (its program given as a path) from the repository root as an unprivileged user, for the
# tests that need permission bits to apply (pytest -m permissions; root ignores them). Root only:
# `make test` calls it as root, as CI does. The user (TEST_USER, default nobody: no account is created
# or changed) gets a fresh home, XDG folders and TMPDIR of its own, removed afterwards.
#
# The user must reach the repository, the program and the interpreter behind it (a venv's python is a
# link to the one it was made from, often under /root). A folder on the way that it cannot search is
# made searchable (o+x: enter, not list) for the run in CI, with a line saying so, and restored after;
# elsewhere the script stops and names the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
user=${TEST_USER:-nobody}
if [ "$(id -u)" != 0 ]; then
	echo "$0: only root can switch to $user; as $(id -un), run the command itself" >&2
	exit 2
fi
if [ ! -x "$1" ]; then
	echo "$0: $1: no such program (a path from the repository root, e.g. .venv/bin/python)" >&2
	exit 2
fi
opened=()
home=
cleanup() {
	[ -z "$home" ] || rm -rf "$home"
	for folder in "${opened[@]}"; do chmod o-x "$folder"; done
}
trap cleanup EXIT
as_user=(setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups)
for path in "$PWD" "$(dirname "$(realpath -s "$1")")" "$(dirname "$(readlink -f "$1")")"; do
	folder=/
	for part in ${path//\// }; do
		folder=${folder%/}/$part
		if ! "${as_user[@]}" test -x "$folder"; then
			if [[ ${CI:-} != true && ${CI:-} != 1 ]]; then
				echo "$0: user $user cannot enter $folder (needed for $path); outside CI, make it" \
					"searchable yourself (chmod o+x $folder) or run as another user" >&2
				exit 2
			fi
			chmod o+x "$folder"
			opened+=("$folder")
			echo "CI: made $folder searchable (o+x) for $user, to reach $path"
		fi
	done
done
home=$(mktemp -d)
mkdir "$home/tmp"
chown -R "$user:" "$home"
"${as_user[@]}" env HOME="$home" USER="$user" LOGNAME="$user" TMPDIR="$home/tmp" \
	XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
	XDG_STATE_HOME="$home/state" XDG_RUNTIME_DIR="$home/run" "$@"
